using System.Text.Json;

namespace Faust.Serialization;

/// <summary>A codec whose values have a JSON form: HTTP produce reads a body's key or value through it, and table
/// lookups answer with it, so clients see the same JSON (naming, decimals, envelope, validation) as the wire holds.</summary>
internal interface IJsonValueCodec<T>
{
    /// <summary>Reads a value from JSON.</summary>
    /// <exception cref="JsonException">The JSON does not fit <typeparamref name="T"/> (or the record is invalid).</exception>
    T FromJson(JsonElement json);

    /// <summary>Writes a value as JSON (for HTTP answers such as table lookups).</summary>
    byte[] ToJson(T value);
}
