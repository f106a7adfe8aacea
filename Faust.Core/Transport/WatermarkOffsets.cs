namespace Faust.Transport;

/// <summary>The first offset still in a partition (low) and the offset the next record will get (high).</summary>
internal readonly record struct WatermarkOffsets(long Low, long High);
