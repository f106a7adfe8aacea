using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Faust.Serialization;

// The value of Faust's envelope member: "__faust": {"ns": "<namespace>"}. One instance per record type, with
// the namespace encoded once.
internal sealed class FaustMetadata(string ns)
{
    public const string PropertyName = "__faust";

    public static ReadOnlySpan<byte> PropertyNameUtf8 => "__faust"u8;

    public static ReadOnlySpan<byte> NamespaceUtf8 => "ns"u8;

    private static readonly JsonEncodedText NsName = JsonEncodedText.Encode("ns");

    public string Namespace { get; } = ns;

    public JsonEncodedText EncodedNamespace { get; } = JsonEncodedText.Encode(ns);

    public static JsonTypeInfo CreateTypeInfo(JsonSerializerOptions options) =>
        JsonMetadataServices.CreateValueInfo<FaustMetadata>(options, Converter.Instance);

    private sealed class Converter : JsonConverter<FaustMetadata>
    {
        public static readonly Converter Instance = new();

        // Never assigned to a record (the envelope member has no setter); the codec reads the namespace itself.
        public override FaustMetadata? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            reader.TrySkip();
            return null;
        }

        public override void Write(Utf8JsonWriter writer, FaustMetadata value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString(NsName, value.EncodedNamespace);
            writer.WriteEndObject();
        }
    }
}
