namespace Faust.Diagnostics;

/// <summary>One actor's numbers at a sample: totals since start, and the window's events, timed events and time.
/// <see cref="Buckets"/> and <see cref="WindowStartBuckets"/> are the cumulative timing histogram now and at the
/// window's start (valid until the actor's next sample).</summary>
internal readonly record struct ActorSample(
    long Processed,
    long WindowProcessed,
    double WindowSeconds,
    long WindowTimed,
    long WindowTimedTicks,
    long[] Buckets,
    long[] WindowStartBuckets,
    long Timed,
    long TimedTicks,
    long Crashes,
    long Skipped,
    ErrorEntry? LastError);
