namespace Faust.Transport;

/// <summary>One header of a record, as Kafka carries it: a name and raw bytes.</summary>
/// <param name="Key">The header name.</param>
/// <param name="Value">The header value; may be empty.</param>
public readonly record struct RecordHeader(string Key, byte[] Value);
