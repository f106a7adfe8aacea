namespace Faust.Serialization;

/// <summary>Turns keys or values of type <typeparamref name="T"/> into the bytes of a Kafka record and back.</summary>
/// <typeparam name="T">The key or value type.</typeparam>
/// <remarks>
/// <para>
/// A Kafka record's key or value may be absent (a Kafka null; for a value, a tombstone). Absence is
/// handled by the caller, not by the codec: <see cref="Encode"/> returns <see langword="null"/> for a
/// <see langword="null"/> value, and <see cref="Decode"/> is only called with bytes that are present
/// (possibly empty).
/// </para>
/// <para>
/// Implementations are stateless or immutable and safe to call from any number of threads at once.
/// The bytes of a key are what <see cref="Faust.Routing.Partitioner"/> hashes, so a key codec must be
/// deterministic: equal keys must always encode to equal bytes.
/// </para>
/// </remarks>
public interface ICodec<T>
{
    /// <summary>Encodes a value.</summary>
    /// <param name="value">The value to encode.</param>
    /// <returns>
    /// The encoded bytes, or <see langword="null"/> when <paramref name="value"/> is a
    /// <see langword="null"/> reference (or an empty <see cref="Nullable{T}"/>), which is sent as a Kafka null.
    /// Callers must not modify the returned array: a codec may return an array it does not own (see
    /// <see cref="Codecs.Bytes"/>).
    /// </returns>
    byte[]? Encode(T value);

    /// <summary>Decodes bytes that are present in a record.</summary>
    /// <param name="data">The bytes; never a Kafka null, but possibly empty.</param>
    /// <returns>The decoded value.</returns>
    /// <exception cref="CodecException">The bytes are not a valid encoding of <typeparamref name="T"/>.</exception>
    T Decode(ReadOnlySpan<byte> data);
}
