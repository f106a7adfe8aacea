using Faust.App;
using Faust.Cluster;
using Faust.Core.Tests.Engine;
using Faust.Transport;
using Faust.Transport.Log;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Faust.Core.Tests.Cluster;

public sealed class ClusterViewTests
{
    private const string Topic = "app-__assignor";
    private static readonly TopicPartition P0 = new("app-counts-changelog", 0);
    private static readonly TopicPartition P1 = new("app-counts-changelog", 1);

    private static async Task<LogBroker> BrokerAsync()
    {
        var broker = LogBroker.CreateInMemory($"cluster-{Guid.NewGuid():N}");
        await broker.EnsureTopicAsync(new TopicSpec(Topic, 1, Compacted: true, Internal: true));
        return broker;
    }

    private static ClusterView View(LogBroker broker, string id, TimeProvider? time = null) =>
        new(broker, Topic, id, $"http://{id}:6066", TimeSpan.FromSeconds(10), NullLogger.Instance, time ?? TimeProvider.System);

    [Fact]
    public async Task TwoWorkers_SeeTheSameView_AndATombstoneRemovesTheWorkerThatLeft()
    {
        await using var broker = await BrokerAsync();
        await using var a = View(broker, "a");
        await using var b = View(broker, "b");
        var changes = 0;
        b.Changed += (_, _) => Interlocked.Increment(ref changes);
        a.Start(broker.CreateProducer());
        b.Start(broker.CreateProducer());

        a.PublishActives([P0]);
        b.PublishActives([P1]);
        b.PublishStandbys([P0]);

        await Eventually.TrueAsync(() => Converged(a, b, 2) && b.Current.StandbysOf(P0).Count == 1, "both views to hold a and b with b's standby");
        Assert.Equal("http://a:6066", b.Current.OwnerOf(P0)?.Url);
        Assert.Equal("b", a.Current.OwnerOf(P1)?.WorkerId);
        Assert.Equal(2, b.Mine.Generation); // actives, then standbys
        Assert.True(Volatile.Read(ref changes) >= 1);

        // Publishing the same partitions again changes nothing: no new generation, no record.
        var generation = a.Mine.Generation;
        a.PublishActives([P0]);
        Assert.Equal(generation, a.Mine.Generation);

        await a.LeaveAsync();
        a.PublishActives([P0, P1]); // after leaving, nothing more is published (the consumer's last revocation)
        await Eventually.TrueAsync(() => !b.Current.Workers.ContainsKey("a"), "b to drop a after a's tombstone");
        Assert.Null(b.Current.OwnerOf(P0));
    }

    [Fact]
    public async Task AWorkerThatStartsLater_ReadsTheTopicFromTheStart()
    {
        await using var broker = await BrokerAsync();
        await using var a = View(broker, "a");
        a.Start(broker.CreateProducer());
        a.PublishActives([P0]);
        a.PublishActives([P0, P1]);
        await Eventually.TrueAsync(() => a.Current.OwnerOf(P1) is not null, "a to read its own record");

        await using var late = View(broker, "late");
        late.Start(broker.CreateProducer());

        await Eventually.TrueAsync(() => late.Current.OwnerOf(P1)?.WorkerId == "a", "the late view to read a's latest record");
        Assert.Equal(2, late.Current.Workers["a"].Generation);
    }

    [Fact]
    public async Task AWorkerThatStopsRepublishing_IsDroppedAfterThreeHeartbeats()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var broker = await BrokerAsync();
        var crashed = View(broker, "crashed", time);
        await using var live = View(broker, "live", time);
        crashed.Start(broker.CreateProducer());
        live.Start(broker.CreateProducer());
        crashed.PublishActives([P0]);
        live.PublishActives([P1]);
        await Eventually.TrueAsync(() => live.Current.Workers.Count == 2, "the live view to see both workers");

        await crashed.DisposeAsync(); // no tombstone: a crash
        time.Advance(TimeSpan.FromSeconds(20));
        await Task.Yield();
        Assert.True(live.Current.Workers.ContainsKey("crashed"), "two heartbeats of silence are not enough to drop a worker");

        time.Advance(TimeSpan.FromSeconds(11));
        await Eventually.TrueAsync(() => !live.Current.Workers.ContainsKey("crashed"), "the silent worker to be dropped");
        // The live one republished on its heartbeat, so it stays.
        Assert.Equal("live", live.Current.OwnerOf(P1)?.WorkerId);
    }

    [Fact]
    public async Task AStartedApp_PublishesItsSourceAndChangelogPartitions_AndATombstoneWhenItStops()
    {
        var broker = $"memory://cluster-app-{Guid.NewGuid():N}";
        var app = new ClickCounterApp(broker, id: "cluster-app");
        app.App.Options.WorkerId = "worker-1";
        app.App.Options.CanonicalUrl = "http://worker-1:6066/";
        await app.StartAsync();
        var worker = app.App.Worker!;

        // An observer on the same broker, reading the assignor topic like another worker would.
        var transport = TransportFactory.Create(new FaustOptions { Broker = broker }, NullLoggerFactory.Instance);
        await using var observer = new ClusterView(transport, "cluster-app-__assignor", "observer", null, TimeSpan.FromSeconds(10), NullLogger.Instance, TimeProvider.System);
        observer.Start(transport.CreateProducer());

        await Eventually.TrueAsync(() => observer.Current.Workers.ContainsKey("worker-1"), "the observer to see worker-1");
        var published = observer.Current.Workers["worker-1"];
        Assert.Equal("http://worker-1:6066", published.Url);
        for (var p = 0; p < 8; p++)
        {
            Assert.Equal("worker-1", observer.Current.OwnerOf(new TopicPartition("clicks", p))?.WorkerId);
            Assert.Equal("worker-1", observer.Current.OwnerOf(new TopicPartition("cluster-app-click_counts-changelog", p))?.WorkerId);
        }

        Assert.Equal("worker-1", worker.Cluster.Current.OwnerOf(new TopicPartition("cluster-app-click_counts-changelog", 3))?.WorkerId);

        // Standbys set by another component are published with the actives.
        worker.PublishStandbys([new TopicPartition("other-changelog", 1)]);
        await Eventually.TrueAsync(() => observer.Current.StandbysOf(new TopicPartition("other-changelog", 1)).Count == 1, "the standby to be published");

        await app.DisposeAsync();
        await Eventually.TrueAsync(() => !observer.Current.Workers.ContainsKey("worker-1"), "worker-1's tombstone after a clean stop");
        await transport.DisposeAsync();
    }

    private static bool Converged(ClusterView a, ClusterView b, int workers) =>
        a.Current.Workers.Count == workers && b.Current.Workers.Count == workers
        && a.Current.Workers.All(kv => b.Current.Workers.TryGetValue(kv.Key, out var other) && other.Generation == kv.Value.Generation && other.SameContent(kv.Value));
}
