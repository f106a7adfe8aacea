using System.Diagnostics;
using System.Numerics;

namespace Faust.Diagnostics;

// A log-linear histogram over Stopwatch ticks: four buckets per power of two, so the two bounds of a bucket are
// within 25% of each other and a percentile read as a bucket's midpoint is within about 12% of the truth.
// Recording is an index computation and one increment: no lock, no allocation. Counts are cumulative; a window is
// the difference of two copies taken by the sampler.
internal static class LatencyHistogram
{
    private const int SubBucketBits = 2;
    private const int SubBuckets = 1 << SubBucketBits;

    /// <summary>Buckets cover every non-negative long.</summary>
    public const int BucketCount = 64 * SubBuckets;

    public static int IndexOf(long ticks)
    {
        if (ticks < SubBuckets)
        {
            return ticks <= 0 ? 0 : (int)ticks;
        }

        var log = BitOperations.Log2((ulong)ticks);
        var sub = (int)(ticks >> (log - SubBucketBits)) & (SubBuckets - 1);
        return (log << SubBucketBits) + sub;
    }

    /// <summary>The smallest value of a bucket.</summary>
    public static long LowerBound(int index)
    {
        if (index < SubBuckets)
        {
            return index;
        }

        var log = index >> SubBucketBits;
        var sub = index & (SubBuckets - 1);
        return (long)(SubBuckets + sub) << (log - SubBucketBits);
    }

    /// <summary>The value past a bucket's largest: the lower bound of the next non-empty bucket range.</summary>
    public static long UpperBound(int index)
    {
        if (index < SubBuckets)
        {
            return index + 1;
        }

        var log = index >> SubBucketBits;
        var sub = index & (SubBuckets - 1);
        return (long)(SubBuckets + sub + 1) << (log - SubBucketBits);
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1) of the counts <c>current - baseline</c>, in
    /// milliseconds, or null when the difference holds no value.</summary>
    public static double? Percentile(long[] current, long[]? baseline, double q)
    {
        long total = 0;
        for (var i = 0; i < current.Length; i++)
        {
            total += current[i] - (baseline?[i] ?? 0);
        }

        if (total <= 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(q * total));
        long seen = 0;
        for (var i = 0; i < current.Length; i++)
        {
            seen += current[i] - (baseline?[i] ?? 0);
            if (seen >= rank)
            {
                var middle = (LowerBound(i) + UpperBound(i)) / 2.0;
                return TicksToMilliseconds(middle);
            }
        }

        return TicksToMilliseconds(LowerBound(current.Length - 1));
    }

    public static double TicksToMilliseconds(double ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
