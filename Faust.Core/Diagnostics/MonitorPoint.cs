namespace Faust.Diagnostics;

/// <summary>One sample of the history the charts draw: cumulative counters at a time (rates are the differences of
/// neighbouring points) and the total consumer lag then (-1: not known).</summary>
internal readonly record struct MonitorPoint(long TimeMs, long Events, long Received, long Sent, long Lag, long Errors);
