namespace Faust.Transport;

/// <summary>Where a produced record landed.</summary>
/// <param name="Topic">The topic written to.</param>
/// <param name="Partition">The partition written to.</param>
/// <param name="Offset">The record's offset in that partition.</param>
public readonly record struct DeliveryResult(string Topic, int Partition, long Offset);
