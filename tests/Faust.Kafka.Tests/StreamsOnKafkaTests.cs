using Faust.Agents;
using Faust.Routing;
using Faust.Runtime;
using Faust.Streams;
using TopicPartition = Faust.Transport.TopicPartition;

namespace Faust.Kafka.Tests;

// Repartitioning and isolated partitions on the real Kafka protocol (librdkafka's mock cluster), where partitions
// move between workers. The mock has no CreateTopics: every topic the apps declare is created here first.
[Collection(MockClusterCollection.Name)]
public sealed class StreamsOnKafkaTests(MockClusterFixture mock)
{
    private const int Partitions = 4;

    public sealed record Order(string Account, int Amount);

    [Fact]
    public async Task RepartitionBy_WritesTheTable_OnThePartitionOfTheNewKey()
    {
        var id = mock.Unique("regroup-app");
        var orders = mock.Unique("orders");
        mock.Cluster.CreateTopic(orders, Partitions);
        mock.Cluster.CreateTopic($"{id}-by_account-{orders}-account-repartition", Partitions);
        mock.Cluster.CreateTopic($"{id}-totals-changelog", Partitions);
        mock.Cluster.CreateTopic($"{id}-__assignor-__leader", 1);
        mock.Cluster.CreateTopic($"{id}-__assignor", 1);
        mock.Cluster.CreateTopic($"{id}-by_account-dlq", Partitions);

        await using var app = new FaustApp(mock.Options(id));
        var topic = app.Topic<string, Order>(orders);
        var totals = app.Table<string, long>("totals", () => 0L);
        var seen = new List<Event<string, Order>>();
        app.Agent(topic.RepartitionBy(o => o.Account, "account"), async (stream, ct) =>
        {
            await foreach (var e in stream.Events().WithCancellation(ct))
            {
                totals[e.Key] += e.Value.Amount;
                lock (seen)
                {
                    seen.Add(e);
                }
            }
        }, name: "by_account");
        await app.StartAsync();
        await app.WhenReady.WaitAsync(TimeSpan.FromSeconds(60));

        for (var i = 0; i < 40; i++)
        {
            await topic.SendAsync($"order-{i}", new Order($"account-{i % 5}", 1));
        }

        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == 40; } }, "every order, repartitioned", TimeSpan.FromSeconds(60));
        foreach (var e in seen)
        {
            Assert.Equal(Partitioner.Default.PartitionFor(System.Text.Encoding.UTF8.GetBytes(e.Key), Partitions), e.Partition);
        }

        var stores = (Faust.Tables.ITableView)totals;
        for (var a = 0; a < 5; a++)
        {
            var key = System.Text.Encoding.UTF8.GetBytes($"account-{a}");
            var owner = Partitioner.Default.PartitionFor(key, Partitions);
            Assert.Equal(8, totals[$"account-{a}"]);
            Assert.True(stores.StoreOf(owner)!.TryGet(key, out _), $"account-{a} is stored on partition {owner}");
        }
    }

    [Fact]
    public async Task IsolatedPartitions_FollowARebalance_BetweenTwoWorkers()
    {
        var id = mock.Unique("isolated-app");
        var numbers = mock.Unique("numbers");
        mock.Cluster.CreateTopic(numbers, Partitions);
        mock.Cluster.CreateTopic($"{id}-__assignor-__leader", 1);
        mock.Cluster.CreateTopic($"{id}-__assignor", 1);
        mock.Cluster.CreateTopic($"{id}-per_partition-dlq", Partitions);

        var all = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(numbers, p)).ToHashSet();
        await using var a = new IsolatedWorker(mock.Options(id, workerId: "a"), numbers);
        await a.App.StartAsync();
        await Eventually.TrueAsync(() => a.Assignment.Count == Partitions && a.Actors == Partitions,
            "A to run one actor per partition", TimeSpan.FromSeconds(60));

        var b = new IsolatedWorker(mock.Options(id, workerId: "b"), numbers);
        try
        {
            await b.App.StartAsync();
            await Eventually.TrueAsync(() =>
                a.Assignment.Count > 0 && b.Assignment.Count > 0 && a.Assignment.Concat(b.Assignment).ToHashSet().SetEquals(all)
                && a.Assignment.Count + b.Assignment.Count == Partitions,
                "the two workers to split the partitions", TimeSpan.FromSeconds(60));

            // Each worker runs one actor for each partition it owns: A's actors of the partitions it lost have stopped.
            await Eventually.TrueAsync(() => a.Actors == a.Assignment.Count && b.Actors == b.Assignment.Count,
                () => $"actors to follow the assignment (A runs {a.Actors} for {a.Assignment.Count}, B runs {b.Actors} for {b.Assignment.Count})",
                TimeSpan.FromSeconds(30));

            for (var p = 0; p < Partitions; p++)
            {
                await a.Topic.SendAsync("k", p, partition: p);
            }

            await Eventually.TrueAsync(() => a.Seen.Count + b.Seen.Count == Partitions, "one event per partition", TimeSpan.FromSeconds(30));
            Assert.All(a.Seen, s => Assert.Contains(new TopicPartition(numbers, s.Partition), a.Assignment));
            Assert.All(b.Seen, s => Assert.Contains(new TopicPartition(numbers, s.Partition), b.Assignment));
        }
        finally
        {
            await b.DisposeAsync();
        }

        await Eventually.TrueAsync(() => a.Assignment.Count == Partitions && a.Actors == Partitions,
            "A to run every partition's actor again", TimeSpan.FromSeconds(60));
    }

    private sealed class IsolatedWorker : IAsyncDisposable
    {
        private int _actors;

        public IsolatedWorker(Faust.App.FaustOptions options, string topic)
        {
            App = new FaustApp(options);
            Topic = App.Topic<string, int>(topic);
            App.Agent(Topic, async (stream, ct) =>
            {
                Interlocked.Increment(ref _actors);
                try
                {
                    await foreach (var e in stream.Events().WithCancellation(ct))
                    {
                        lock (Seen)
                        {
                            Seen.Add((e.Partition, e.Value));
                        }
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _actors);
                }
            }, name: "per_partition", options: new AgentOptions { IsolatedPartitions = true });
        }

        public FaustApp App { get; }

        public Faust.Topics.Topic<string, int> Topic { get; }

        public List<(int Partition, int Value)> Seen { get; } = [];

        public IReadOnlyCollection<TopicPartition> Assignment => [.. (App.Worker?.Assignment ?? []).Where(tp => tp.Topic == Topic.Name)];

        /// <summary>Actors running now (one per assigned partition, started and stopped by the agent).</summary>
        public int Actors => Volatile.Read(ref _actors);

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }
}
