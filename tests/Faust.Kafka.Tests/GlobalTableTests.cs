using Faust.App;
using Faust.Tables;
using Faust.Topics;
using TopicPartition = Faust.Transport.TopicPartition;

namespace Faust.Kafka.Tests;

[Collection(MockClusterCollection.Name)]
public sealed class GlobalTableTests(MockClusterFixture mock)
{
    private const int Partitions = 4;
    private static readonly string[] Urls = [.. Enumerable.Range(0, 12).Select(i => $"https://example.com/page/{i}")];

    private sealed class Worker : IAsyncDisposable
    {
        private long _processed;

        public Worker(FaustOptions options, string topic)
        {
            App = new FaustApp(options);
            Clicks = App.Topic<string, int>(topic);
            Totals = App.GlobalTable<string, long>("totals", () => 0L);
            App.Agent(Clicks, async (stream, ct) =>
            {
                await foreach (var (url, n) in stream.Items().WithCancellation(ct))
                {
                    Totals[url] += n;
                    Interlocked.Increment(ref _processed);
                }
            }, name: "count");
        }

        public FaustApp App { get; }

        public Topic<string, int> Clicks { get; }

        public Table<string, long> Totals { get; }

        public long Processed => Interlocked.Read(ref _processed);

        public IReadOnlyCollection<TopicPartition> Assignment => [.. (App.Worker?.Assignment ?? []).Where(tp => tp.Topic == Clicks.Name)];

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    [Fact]
    public async Task GlobalTable_OnTwoWorkers_EachWritesItsOwnPartitions_AndBothSeeEveryKey()
    {
        var id = mock.Unique("global-app");
        var topic = mock.Unique("clicks");
        mock.Cluster.CreateTopic(topic, Partitions);
        mock.Cluster.CreateTopic($"{id}-totals-changelog", Partitions);
        mock.Cluster.CreateTopic($"{id}-__assignor", 1);
        mock.Cluster.CreateTopic($"{id}-__assignor-__leader", 1);
        mock.Cluster.CreateTopic($"{id}-count-dlq", Partitions);

        await using var a = new Worker(mock.Options(id, workerId: "a"), topic);
        await a.App.StartAsync();
        await a.App.WhenReady.WaitAsync(TimeSpan.FromSeconds(60));
        await using var b = new Worker(mock.Options(id, workerId: "b"), topic);
        await b.App.StartAsync();
        var all = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)).ToHashSet();
        await Eventually.TrueAsync(() =>
            a.Assignment.Count > 0 && b.Assignment.Count > 0 && a.Assignment.Count + b.Assignment.Count == Partitions
            && a.Assignment.Concat(b.Assignment).ToHashSet().SetEquals(all) && a.App.IsReady && b.App.IsReady,
            "the two workers to split the partitions and recover", TimeSpan.FromSeconds(60));

        for (var i = 0; i < 24; i++)
        {
            await a.Clicks.SendAsync(Urls[i % Urls.Length], 1);
        }

        await Eventually.TrueAsync(() => a.Processed + b.Processed >= 24, "24 clicks processed between the two workers");
        Assert.True(a.Processed > 0 && b.Processed > 0, $"each worker processes its own partitions (a {a.Processed}, b {b.Processed})");
        await Eventually.TrueAsync(() => Urls.All(u => a.Totals[u] == 2 && b.Totals[u] == 2),
            () => "both workers to see every key twice; a has " + string.Join(", ", Urls.Select(u => $"{u[^7..]}={a.Totals[u]}"))
                + "; b has " + string.Join(", ", Urls.Select(u => $"{u[^7..]}={b.Totals[u]}")), TimeSpan.FromSeconds(30));

        // Each follows exactly the partitions the other owns.
        var changelog = $"{id}-totals-changelog";
        Assert.Equal(b.Assignment.Select(tp => new TopicPartition(changelog, tp.Partition)).ToHashSet(), a.App.Worker!.Follower!.Followed.ToHashSet());
        Assert.Equal(a.Assignment.Select(tp => new TopicPartition(changelog, tp.Partition)).ToHashSet(), b.App.Worker!.Follower!.Followed.ToHashSet());
        Assert.Equal(Urls.Length, a.Totals.Count);
        Assert.Equal(Urls.Length, b.Totals.Count);
    }
}
