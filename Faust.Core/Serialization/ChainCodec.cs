using System.Text.Json;

namespace Faust.Serialization;

// Faust's codec chains ("json|binary"): the first codec turns the value into bytes, each next one transforms
// those bytes; decoding runs the chain backwards.
internal sealed class ChainCodec<T>(ICodec<T> first, ICodec<byte[]>[] then) : ICodec<T>, IJsonValueCodec<T>
{
    public byte[]? Encode(T value)
    {
        var bytes = first.Encode(value);
        foreach (var codec in then)
        {
            if (bytes is null)
            {
                return null;
            }

            bytes = codec.Encode(bytes);
        }

        return bytes;
    }

    public T Decode(ReadOnlySpan<byte> data)
    {
        if (then.Length == 0)
        {
            return first.Decode(data);
        }

        var bytes = then[^1].Decode(data);
        for (var i = then.Length - 2; i >= 0; i--)
        {
            bytes = then[i].Decode(bytes);
        }

        return first.Decode(bytes);
    }

    public T FromJson(JsonElement json) => first is IJsonValueCodec<T> head
        ? head.FromJson(json)
        : json.Deserialize<T>(JsonSerializerOptions.Web)!;

    public byte[] ToJson(T value) => first is IJsonValueCodec<T> head
        ? head.ToJson(value)
        : JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web);
}
