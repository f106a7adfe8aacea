using Faust.Transport;

namespace Faust.Kafka.Tests;

// The assignor topic on the Kafka protocol: two workers of one app publish their assignments to {app}-__assignor and
// read each other's, and both views settle on the same snapshot, whose actives split every partition between them.
[Collection(MockClusterCollection.Name)]
public sealed class ClusterViewOnKafkaTests(MockClusterFixture mock)
{
    [Fact]
    public async Task TwoWorkers_ConvergeOnOneSnapshot_WithDisjointActivesCoveringEveryPartition()
    {
        var id = mock.Unique("cluster-app");
        var topic = mock.Unique("clicks");
        ClickCounter.CreateTopics(mock.Cluster, topic, id);
        var first = mock.Options(id, workerId: "w1");
        first.CanonicalUrl = "http://w1:6066";
        var second = mock.Options(id, workerId: "w2");
        second.CanonicalUrl = "http://w2:6066";
        var logs = new LogCapture();
        await using var w1 = new ClickCounter(first, topic, logs);
        await using var w2 = new ClickCounter(second, topic, logs);
        await w1.StartAsync();
        await w2.StartAsync();
        var changelog = w1.Changelog;
        var partitions = Enumerable.Range(0, ClickCounter.Partitions)
            .SelectMany(p => new[] { new TopicPartition(topic, p), new TopicPartition(changelog, p) }).ToArray();

        var v1 = w1.App.Worker!.Cluster;
        var v2 = w2.App.Worker!.Cluster;
        await Eventually.TrueAsync(() => Settled(v1.Current) && Settled(v2.Current) && Same(v1.Current, v2.Current),
            () => $"both views to hold w1 and w2 with one owner per partition; w1 sees {Describe(v1.Current)}; w2 sees {Describe(v2.Current)}",
            TimeSpan.FromSeconds(60));

        var snapshot = v1.Current;
        var a1 = snapshot.Workers["w1"];
        var a2 = snapshot.Workers["w2"];
        Assert.Empty(a1.Actives.Intersect(a2.Actives));
        Assert.Contains(a1.Actives, tp => tp.Topic == changelog);
        Assert.Contains(a2.Actives, tp => tp.Topic == changelog);
        Assert.Equal("http://w2:6066", snapshot.Workers["w2"].Url);
        // Co-partitioned: whoever owns clicks[p] owns the changelog's partition p, and it is what the worker holds.
        for (var p = 0; p < ClickCounter.Partitions; p++)
        {
            var owner = snapshot.OwnerOf(new TopicPartition(topic, p))!;
            Assert.Equal(owner.WorkerId, snapshot.OwnerOf(new TopicPartition(changelog, p))?.WorkerId);
            var worker = owner.WorkerId == "w1" ? w1 : w2;
            Assert.Contains(new TopicPartition(topic, p), worker.App.Worker!.Assignment);
        }

        bool Settled(Cluster.ClusterSnapshot s) =>
            s.Workers.Count == 2 && s.Workers.ContainsKey("w1") && s.Workers.ContainsKey("w2") && partitions.All(tp => s.OwnerOf(tp) is not null)
            && s.Workers.Values.All(w => w.Actives.Count > 0);
    }

    private static bool Same(Cluster.ClusterSnapshot a, Cluster.ClusterSnapshot b) =>
        a.Workers.Count == b.Workers.Count && a.Workers.All(kv => b.Workers.TryGetValue(kv.Key, out var other) && other.Equals(kv.Value));

    private static string Describe(Cluster.ClusterSnapshot s) =>
        string.Join("; ", s.Workers.Values.Select(w => $"{w.WorkerId}@{w.Generation}: {string.Join(",", w.Actives)}"));
}
