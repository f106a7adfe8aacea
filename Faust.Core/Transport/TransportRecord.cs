namespace Faust.Transport;

/// <summary>
/// A record as the transport sees it: serialized key and value, headers and a timestamp.
/// Immutable once handed to a transport; the memory transport shares the instance with every reader.
/// </summary>
internal sealed class TransportRecord(byte[]? key, byte[]? value, IReadOnlyList<RecordHeader>? headers, long timestampMs)
{
    public byte[]? Key { get; } = key;

    public byte[]? Value { get; } = value;

    public IReadOnlyList<RecordHeader>? Headers { get; } = headers;

    /// <summary>Milliseconds since the Unix epoch.</summary>
    public long TimestampMs { get; } = timestampMs;

    public int ApproximateSize => (Key?.Length ?? 0) + (Value?.Length ?? 0) + 16;
}
