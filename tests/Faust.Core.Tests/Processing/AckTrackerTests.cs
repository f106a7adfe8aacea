using Faust.Processing;
using Faust.Runtime;
using Faust.Transport;

namespace Faust.Core.Tests.Processing;

public sealed class AckTrackerTests
{
    private static readonly TopicPartition Tp = new("t", 0);

    private static RecordBatch Batch(params long[] offsets) =>
        new(Tp, [.. offsets.Select(o => new ConsumedRecord(o, new TransportRecord(null, null, null, 0)))], offsets.Length);

    [Fact]
    public void CommitPoint_IsNull_UntilSomethingIsDelivered()
    {
        Assert.Null(new AckTracker(Tp).CommitPoint);
    }

    [Fact]
    public void Commit_AdvancesOverInOrderAcks()
    {
        var tracker = new AckTracker(Tp);
        tracker.Delivered(Batch(0, 1, 2));
        Assert.Equal(0, tracker.CommitPoint);
        tracker.Ack(0);
        tracker.Ack(1);
        Assert.Equal(2, tracker.CommitPoint);
        tracker.Ack(2);
        Assert.Equal(3, tracker.CommitPoint);
        Assert.Equal(0, tracker.Outstanding);
    }

    [Fact]
    public void Commit_SkipsHoles_UntilAcked()
    {
        var tracker = new AckTracker(Tp);
        tracker.Delivered(Batch(10, 11, 12, 13));
        tracker.Ack(11);
        tracker.Ack(13);
        Assert.Equal(10, tracker.CommitPoint);
        tracker.Ack(10);
        Assert.Equal(12, tracker.CommitPoint);
        tracker.Ack(12);
        Assert.Equal(14, tracker.CommitPoint);
    }

    [Fact]
    public void Commit_FollowsDeliveredOffsets_AcrossGapsInThePartition()
    {
        // Kafka partitions have gaps (compaction, transaction markers): offsets 5 and 9 are neighbours here.
        var tracker = new AckTracker(Tp);
        tracker.Delivered(Batch(3, 5, 9));
        tracker.Ack(5);
        Assert.Equal(3, tracker.CommitPoint);
        tracker.Ack(3);
        Assert.Equal(9, tracker.CommitPoint);
        tracker.Ack(9);
        Assert.Equal(10, tracker.CommitPoint);
    }

    [Fact]
    public void RepeatedAndUnknownAcks_AreIgnored()
    {
        var tracker = new AckTracker(Tp);
        tracker.Delivered(Batch(0, 1));
        tracker.Ack(0);
        tracker.Ack(0);
        tracker.Ack(42);
        Assert.Equal(1, tracker.CommitPoint);
        Assert.Equal(1, tracker.Outstanding);
    }

    [Fact]
    public void ManyOutOfOrderAcks_AcrossRingGrowth_CommitEverything()
    {
        var tracker = new AckTracker(Tp);
        var offsets = Enumerable.Range(0, 5000).Select(i => (long)i * 2).ToArray();
        tracker.Delivered(Batch(offsets));
        var random = new Random(7);
        var shuffled = offsets.OrderBy(_ => random.Next()).ToArray();
        foreach (var offset in shuffled[..^1])
        {
            tracker.Ack(offset);
        }

        Assert.Equal(shuffled[^1], tracker.CommitPoint);
        tracker.Ack(shuffled[^1]);
        Assert.Equal(offsets[^1] + 1, tracker.CommitPoint);
    }
}
