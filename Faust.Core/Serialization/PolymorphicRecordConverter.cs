using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Faust.Serialization;

// Decodes a value declared as TBase to the record type its envelope names ("__faust": {"ns": ...}), when that type
// is registered and assignable to TBase; otherwise to TBase itself (as Faust uses the declared type when the
// namespace is unknown). Python Faust writes the envelope last, so the namespace is found with a second reader
// over the same, fully buffered, object before the real read.
internal sealed class PolymorphicRecordConverter<TBase>(FaustTypeInfoResolver resolver) : JsonConverter<TBase>
{
    public static JsonTypeInfo CreateTypeInfo(FaustTypeInfoResolver resolver, JsonSerializerOptions options) =>
        JsonMetadataServices.CreateValueInfo<TBase>(options, new PolymorphicRecordConverter<TBase>(resolver));

    public override TBase? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected a JSON object for {CodecException.DisplayName(typeof(TBase))}, not {reader.TokenType}.");
        }

        var ns = FindNamespace(reader);
        var target = typeof(TBase);
        if (ns is not null && resolver.Records.TryGetType(ns, out var named) && typeof(TBase).IsAssignableFrom(named))
        {
            target = named;
        }
        else if (typeof(TBase).IsAbstract || typeof(TBase).IsInterface)
        {
            throw new JsonException(ns is null
                ? $"The record names no type (no \"__faust\": {{\"ns\": ...}}), and {CodecException.DisplayName(typeof(TBase))} is abstract."
                : $"The namespace '{ns}' names no registered record type that is a {CodecException.DisplayName(typeof(TBase))}: register it with RecordRegistry.Register<T>().");
        }

        return (TBase?)JsonSerializer.Deserialize(ref reader, resolver.ConcreteTypeInfo(target, options));
    }

    public override void Write(Utf8JsonWriter writer, TBase value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, resolver.ConcreteTypeInfo(value!.GetType(), options));

    // The reader is a copy: the caller's position does not move.
    private static string? FindNamespace(Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (!reader.ValueTextEquals(FaustMetadata.PropertyNameUtf8))
            {
                reader.Read();
                reader.TrySkip();
                continue;
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isNs = reader.ValueTextEquals(FaustMetadata.NamespaceUtf8);
                reader.Read();
                if (isNs && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.TrySkip();
            }

            return null;
        }

        return null;
    }
}
