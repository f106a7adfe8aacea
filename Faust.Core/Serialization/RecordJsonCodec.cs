using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Faust.Serialization;

// Faust's json codec: System.Text.Json over a contract from FaustJsonOptions (envelope, decimals as strings,
// ISO dates, polymorphic records, validation).
internal sealed class RecordJsonCodec<T>(JsonTypeInfo<T> typeInfo) : ICodec<T>, IJsonValueCodec<T>
{
    public JsonTypeInfo<T> TypeInfo { get; } = typeInfo;

    public byte[]? Encode(T value) => value is null ? null : JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo);

    public T Decode(ReadOnlySpan<byte> data)
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(data, TypeInfo);
        }
        catch (JsonException e)
        {
            throw new CodecException(typeof(T), WithPath(e), e);
        }
        catch (NotSupportedException e)
        {
            throw new CodecException(typeof(T), e.Message, e);
        }

        if (value is null && !typeof(T).IsValueType)
        {
            throw new CodecException(
                typeof(T),
                "the JSON is the literal null; an absent value is a Kafka null (tombstone), not JSON null.");
        }

        return value!;
    }

    // The serializer adds the path to its own messages only; converters' and validation's get it here.
    internal static string WithPath(JsonException e) =>
        e.Path is { } path && !e.Message.Contains("Path: ", StringComparison.Ordinal) ? $"{e.Message} Path: {path}." : e.Message;

    public T FromJson(JsonElement json) => json.Deserialize(TypeInfo)!;

    public byte[] ToJson(T value) => JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo);
}
