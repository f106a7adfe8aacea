using System.Diagnostics;
using Faust.Diagnostics;

namespace Faust.Core.Tests.Diagnostics;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void EveryValue_FallsInABucketWhoseBoundsHoldIt_AndAreWithin25Percent()
    {
        var values = Enumerable.Range(0, 62).SelectMany(shift => new[] { 1L << shift, (1L << shift) + 1, (3L << shift) / 2, (1L << (shift + 1)) - 1 })
            .Append(long.MaxValue).Append(0);
        foreach (var value in values)
        {
            var index = LatencyHistogram.IndexOf(value);
            Assert.InRange(index, 0, LatencyHistogram.BucketCount - 1);
            Assert.True(LatencyHistogram.LowerBound(index) <= value, $"{value} >= lower bound of bucket {index}");
            if (value < long.MaxValue / 2)
            {
                Assert.True(value < LatencyHistogram.UpperBound(index), $"{value} < upper bound of bucket {index}");
            }

            if (value >= 8)
            {
                Assert.True(LatencyHistogram.UpperBound(index) <= LatencyHistogram.LowerBound(index) * 1.25 + 1, $"bucket {index} is narrow");
            }
        }
    }

    [Fact]
    public void Percentile_OfAWindow_IsWithinABucketOfTheTruth()
    {
        var baseline = new long[LatencyHistogram.BucketCount];
        var current = new long[LatencyHistogram.BucketCount];

        // Before the window: slow events that must not count.
        baseline[LatencyHistogram.IndexOf(Ticks(500))] = 1000;
        current[LatencyHistogram.IndexOf(Ticks(500))] = 1000;

        // In the window: 1..1000 ms, one event each.
        for (var ms = 1; ms <= 1000; ms++)
        {
            current[LatencyHistogram.IndexOf(Ticks(ms))]++;
        }

        var p99 = LatencyHistogram.Percentile(current, baseline, 0.99)!.Value;
        var p50 = LatencyHistogram.Percentile(current, baseline, 0.50)!.Value;

        Assert.InRange(p99, 990 * 0.87, 990 * 1.13);
        Assert.InRange(p50, 500 * 0.87, 500 * 1.13);
        Assert.Null(LatencyHistogram.Percentile(baseline, baseline, 0.99));
    }

    private static long Ticks(double milliseconds) => (long)(milliseconds * Stopwatch.Frequency / 1000);
}
