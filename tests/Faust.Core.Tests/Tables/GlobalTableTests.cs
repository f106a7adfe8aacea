using Faust.App;
using Faust.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faust.Core.Tests.Tables;

public sealed class GlobalTableTests
{
    // Partition of 8 (DESIGN decision 2): page/0 -> 3, page/1 -> 7.
    private const string Mine = "https://example.com/page/0";
    private const string Theirs = "https://example.com/page/1";

    [Fact]
    public async Task GlobalTable_FollowsThePartitionsAnotherWorkerOwns_AndRefusesToWriteThem()
    {
        var broker = $"memory://global-{Guid.NewGuid():N}";
        var app = new FaustApp(new FaustOptions { Id = "global", Broker = broker, CommitInterval = TimeSpan.FromMilliseconds(100) });
        await using var _ = app;
        var clicks = app.Topic<string, int>("clicks");
        var totals = app.GlobalTable<string, long>("totals", () => 0L);
        var processed = 0;
        app.Agent(clicks, async (stream, ct) =>
        {
            await foreach (var (url, n) in stream.Items().WithCancellation(ct))
            {
                totals[url] += n;
                Interlocked.Increment(ref processed);
            }
        }, name: "count");

        await app.StartAsync();
        await app.WhenReady.WaitAsync(TimeSpan.FromSeconds(20));
        var worker = app.Worker!;
        Assert.True(totals.IsGlobal);
        Assert.Empty(worker.Follower!.Followed);

        await clicks.SendAsync(Mine, 2);
        await clicks.SendAsync(Theirs, 3);
        await Eventually.TrueAsync(() => Volatile.Read(ref processed) == 2, "the agent to process both clicks");

        // A rebalance hands partition 7 to another worker: this one keeps the partition and follows its changelog.
        worker.OnRevoked([new TopicPartition("clicks", 7)]);
        Assert.False(worker.OwnsPartition(7));
        Assert.True(worker.OwnsPartition(3));
        await Eventually.TrueAsync(() => worker.Follower.IsFollowing(new TopicPartition("global-totals-changelog", 7)), "the follower to take up partition 7");
        Assert.Equal(3, totals[Theirs]); // kept across the clean revocation

        // The new owner writes partition 7; this worker sees it without owning it.
        await using var transport = TransportFactory.Create(app.Options, NullLoggerFactory.Instance);
        var producer = transport.CreateProducer();
        await producer.ProduceAsync(new TopicPartition("global-totals-changelog", 7),
            new TransportRecord(System.Text.Encoding.UTF8.GetBytes(Theirs), "42"u8.ToArray(), null, 0));
        producer.Dispose();
        await Eventually.TrueAsync(() => totals[Theirs] == 42, "the followed write of the other worker");
        Assert.Equal(2, totals[Mine]);

        // Outside an agent, a write goes to the key's partition: allowed on an owned one, refused on the other's.
        totals[Mine] = 10;
        Assert.Equal(10, totals[Mine]);
        var refused = Assert.Throws<InvalidOperationException>(() => totals[Theirs] = 1);
        Assert.Contains("owned by another worker", refused.Message, StringComparison.Ordinal);
        Assert.Equal(42, totals[Theirs]);
    }
}
