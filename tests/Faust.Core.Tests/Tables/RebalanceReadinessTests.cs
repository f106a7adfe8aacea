using Faust.App;
using Faust.Cluster;
using Faust.Core.Tests.Engine;
using Faust.Core.Tests.Transport;
using Faust.Tables;
using Faust.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faust.Core.Tests.Tables;

public sealed class RebalanceReadinessTests
{
    // Partition of 8 (DESIGN decision 2): page/0 -> 3.
    private const string Url = "https://example.com/page/0";
    private const string Changelog = "kafka-order-click_counts-changelog";

    // Kafka publishes a consumer's new assignment only after the assigned callback has returned. Until then the
    // partition is missing from the consumer's assignment, and must still read as recovering: its store has just
    // been reopened and may lag its changelog, so an HTTP read would answer a stale value with 200.
    [Fact]
    public async Task AReassignedPartition_IsNotRecovered_BeforeTheConsumerPublishesItsAssignment_NorUntilItsRecoveryEnds()
    {
        var broker = $"memory://kafka-order-{Guid.NewGuid():N}";
        await using var app = new ClickCounterApp(broker, id: "kafka-order");
        KafkaOrderedRebalanceTransport? wrapped = null;
        app.App.WrapTransport = transport => wrapped = new KafkaOrderedRebalanceTransport(transport);
        await app.StartAsync();
        var worker = app.App.Worker!;

        await app.Clicks.SendAsync(Url, 1);
        await app.WaitProcessedAsync(1);
        Assert.Equal(1, app.Counts[Url]);
        Assert.True(worker.IsRecovered(3));

        // Another writer's record lands on the changelog after the worker's own (a stand-in for what the previous
        // owner wrote while this worker did not own the partition): only a recovery reads it.
        await using var other = TransportFactory.Create(app.App.Options, NullLoggerFactory.Instance);
        using var reader = other.CreateConsumer(groupId: null);
        await Eventually.TrueAsync(() => reader.GetWatermarks(new TopicPartition(Changelog, 3)).High == 1, "the worker's changelog record for the click");
        using (var producer = other.CreateProducer())
        {
            await producer.ProduceAsync(new TopicPartition(Changelog, 3), new TransportRecord(System.Text.Encoding.UTF8.GetBytes(Url), "41"u8.ToArray(), null, 0));
        }

        var release = new ManualResetEventSlim();
        app.App.RecoveryHold = tp => tp.Partition == 3 && !release.IsSet;
        await wrapped!.Rebalance().WaitAsync(TimeSpan.FromSeconds(10));

        // Inside the window: the worker has the partition again, the consumer does not say so yet.
        Assert.DoesNotContain(worker.Assignment, tp => tp.Partition == 3);
        Assert.False(worker.IsRecovered(3), "partition 3 reads as recovered before the consumer published its assignment");
        Assert.False(worker.IsReady, "the worker reads as ready before the consumer published its assignment");

        wrapped.PublishAssignment();
        Assert.Contains(worker.Assignment, tp => tp.Partition == 3);
        Assert.False(worker.IsRecovered(3), "partition 3 reads as recovered while its recovery is held");

        release.Set();
        await Eventually.TrueAsync(() => worker.IsRecovered(3) && worker.IsReady, "partition 3's recovery to end");
        Assert.Equal(41, app.Counts[Url]);
    }

    // A standby change checks that a partition is not owned and then opens its store as a standby. An assignment that
    // lands between the two must win: the partition ends up owned, open and visible, never a hidden standby.
    [Fact]
    public async Task APartitionAssignedWhileItsStandbyIsBeingOpened_EndsUpOwnedAndVisible()
    {
        var broker = $"memory://standby-race-{Guid.NewGuid():N}";
        await using var app = new ClickCounterApp(broker, id: "standby-race");
        app.App.Options.WorkerId = "a";
        KafkaOrderedRebalanceTransport? wrapped = null;
        app.App.WrapTransport = transport => wrapped = new KafkaOrderedRebalanceTransport(transport);
        await app.StartAsync();
        var worker = app.App.Worker!;
        ITableView counts = app.Counts;
        const string changelog = "standby-race-click_counts-changelog";

        // a gives partition 3 up; then a worker b (only its record on the assignor topic) claims it, so a places a
        // standby of changelog partition 3 (the next worker after b).
        await wrapped!.Rebalance(tp => tp.Partition != 3, holdPublication: false).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(worker.OwnsPartition(3));

        // The assignment lands while the standby change sits between its check and its act.
        Task? reassigned = null;
        worker.BeforeStandbyOpens = tp =>
        {
            if (tp.Partition == 3 && reassigned is null)
            {
                reassigned = wrapped.Rebalance(holdPublication: false);
                reassigned.Wait(TimeSpan.FromSeconds(2)); // returns at once without the ownership lock; times out with it
            }
        };

        await using var other = TransportFactory.Create(app.App.Options, NullLoggerFactory.Instance);
        using (var producer = other.CreateProducer())
        {
            var b = new WorkerAssignment("b", null, 1, [new TopicPartition("clicks", 3), new TopicPartition(changelog, 3)], []);
            await producer.ProduceAsync(new TopicPartition(worker.AssignorTopic, 0), new TransportRecord("b"u8.ToArray(), ClusterView.Encode(b), null, 0));
        }

        await Eventually.TrueAsync(() => reassigned is { IsCompleted: true }, "the standby of partition 3 to be placed and the partition reassigned meanwhile");
        await Eventually.TrueAsync(() => worker.IsReady, "the reassigned partitions to recover");
        Assert.True(worker.OwnsPartition(3));
        Assert.NotNull(counts.StoreOf(3));
        Assert.False(counts.IsStandby(3), "partition 3 is owned but was opened as a hidden standby");

        await app.Clicks.SendAsync(Url, 1);
        await app.WaitProcessedAsync(1);
        Assert.Equal(1, app.Counts[Url]);
    }
}
