using Faust.App;
using Faust.Tables;
using Partitioner = Faust.Routing.Partitioner;
using TopicPartition = Faust.Transport.TopicPartition;

namespace Faust.Kafka.Tests;

[Collection(MockClusterCollection.Name)]
public sealed class StandbyTests(MockClusterFixture mock)
{
    private static readonly string[] Urls = [.. Enumerable.Range(0, 12).Select(i => $"https://example.com/page/{i}")];

    private static int PartitionOf(string url) => Partitioner.Default.PartitionFor(System.Text.Encoding.UTF8.GetBytes(url), ClickCounter.Partitions);

    [Fact]
    public async Task PromotedStandby_RecoversOnlyTheRecordsAfterItsLastAppliedOffset()
    {
        var id = mock.Unique("standby-app");
        var topic = mock.Unique("clicks");
        ClickCounter.CreateTopics(mock.Cluster, topic, id);
        var root = Path.Combine(Path.GetTempPath(), "faust-kafka-standby", Guid.NewGuid().ToString("N"));
        FaustOptions Options(string worker)
        {
            var options = mock.Options(id, workerId: worker);
            options.Store = "rocksdb://";
            options.DataDirectory = Path.Combine(root, worker);
            options.ChangelogBufferSize = 0; // one changelog record per click, so the tail can be counted
            return options;
        }

        try
        {
            await using var b = new ClickCounter(Options("b"), topic);
            var a = new ClickCounter(Options("a"), topic);
            ITableView counts = b.Counts;
            var changelog = b.Changelog;
            int[] aPartitions;
            var tailOffsets = new Dictionary<int, long>();
            try
            {
                await Task.WhenAll(a.StartAsync(), b.StartAsync());
                await Eventually.TrueAsync(() =>
                    a.Assignment.Count > 0 && b.Assignment.Count > 0 && a.Assignment.Count + b.Assignment.Count == ClickCounter.Partitions
                    && a.App.IsReady && b.App.IsReady, "the two workers to split the partitions", TimeSpan.FromSeconds(60));
                aPartitions = [.. a.Assignment.Select(tp => tp.Partition).Order()];
                var bPartitions = b.Assignment.Select(tp => tp.Partition).Order().ToArray();

                // Placement: a's standby is b and b's is a (the next worker id, wrapping around).
                await Eventually.TrueAsync(() =>
                    b.App.Worker!.Standbys.SetEquals(aPartitions.Select(p => new TopicPartition(changelog, p)))
                    && a.App.Worker!.Standbys.SetEquals(bPartitions.Select(p => new TopicPartition(changelog, p))),
                    () => $"each worker to stand by for the other's partitions (a owns {string.Join(",", aPartitions)}, a stands by for {string.Join(",", a.App.Worker!.Standbys)}, b for {string.Join(",", b.App.Worker!.Standbys)})",
                    TimeSpan.FromSeconds(30));
                Assert.All(aPartitions, p => Assert.NotNull(counts.StoreOf(p)));
                Assert.Null(b.App.Worker!.StandbyLag(counts, bPartitions[0])); // owned, not a standby

                for (var i = 0; i < 120; i++)
                {
                    await a.Clicks.SendAsync(Urls[i % Urls.Length], 1);
                }

                await Eventually.TrueAsync(() => a.Processed + b.Processed == 120, "120 clicks processed between the two workers");
                // One changelog record per click; b's standbys have applied all of a's (StandbyLag caches the
                // changelog's end for a second, so it may say 0 a little early: ask the broker).
                await Eventually.TrueAsync(() => Enumerable.Range(0, ClickCounter.Partitions).Sum(p => mock.HighWatermark(changelog, p)) == 120, "the 120 clicks' changelog records");
                await Eventually.TrueAsync(() => aPartitions.All(p => counts.StoreOf(p)!.AppliedOffset + 1 == mock.HighWatermark(changelog, p)), "b's standbys to catch up with a's changelog");
                await Eventually.TrueAsync(() => aPartitions.All(p => b.App.Worker!.StandbyLag(counts, p) == 0), "b's standby lag to read 0");
                Assert.All(Urls.Where(u => aPartitions.Contains(PartitionOf(u))), u =>
                {
                    Assert.True(counts.StoreOf(PartitionOf(u))!.TryGet(System.Text.Encoding.UTF8.GetBytes(u), out var value), $"{u} is in b's standby store");
                    Assert.Equal("10", System.Text.Encoding.UTF8.GetString(value));
                });

                // b's follower stops (a standby falling behind); a goes on writing its partitions.
                await b.App.Worker!.Follower!.PauseAsync().WaitAsync(TimeSpan.FromSeconds(10));
                foreach (var p in aPartitions)
                {
                    tailOffsets[p] = counts.StoreOf(p)!.AppliedOffset;
                }

                var mine = Urls.Where(u => aPartitions.Contains(PartitionOf(u))).ToArray();
                var before = a.Processed;
                for (var i = 0; i < 10; i++)
                {
                    await a.Clicks.SendAsync(mine[i % mine.Length], 1);
                }

                await a.WaitProcessedAsync(before + 10);
                await Eventually.TrueAsync(() => aPartitions.Sum(p => b.App.Worker!.StandbyLag(counts, p) ?? 0) == 10,
                    () => "b's standbys to be 10 records behind; lags " + string.Join(", ", aPartitions.Select(p => $"{p}={b.App.Worker!.StandbyLag(counts, p)?.ToString() ?? "null"}"))
                        + $"; a owns {string.Join(",", a.Assignment.Select(tp => tp.Partition))}, b owns {string.Join(",", b.Assignment.Select(tp => tp.Partition))}, b stands by for {string.Join(",", b.App.Worker!.Standbys)}");
                Assert.All(Urls.Where(u => aPartitions.Contains(PartitionOf(u))), u => Assert.False(b.Counts.ContainsKey(u), $"{u} is readable on b, which only stands by for it"));
                await Eventually.TrueAsync(() => Enumerable.Range(0, ClickCounter.Partitions).All(p => mock.Committed(id, topic, p) == mock.HighWatermark(topic, p)),
                    "both workers to commit what they processed");
            }
            finally
            {
                await a.DisposeAsync();
            }

            // a left: b owns every partition and recovers a's from where its standbys stopped.
            await Eventually.TrueAsync(() => b.Assignment.Count == ClickCounter.Partitions && b.App.IsReady, "b to own and recover every partition", TimeSpan.FromSeconds(60));
            var recovered = b.App.Worker!.Recovery.Partitions.Where(r => r.Table == "click_counts" && aPartitions.Contains(r.Partition)).ToArray();
            Assert.Equal(aPartitions.Length, recovered.Length);
            foreach (var r in recovered)
            {
                Assert.Equal(tailOffsets[r.Partition] + 1, r.Start);
                Assert.True(r.Start > 0, $"partition {r.Partition} was recovered from the start of its changelog");
            }

            Assert.Equal(10, recovered.Sum(r => r.Total));
            Assert.Equal(130, Urls.Sum(u => b.Counts[u]));
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }
}
