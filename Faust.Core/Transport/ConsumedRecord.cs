namespace Faust.Transport;

/// <summary>A record read from a partition, with its offset.</summary>
internal readonly record struct ConsumedRecord(long Offset, TransportRecord Record);
