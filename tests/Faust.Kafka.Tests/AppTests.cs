using System.Diagnostics;
using Faust.App;
using Faust.Routing;
using Faust.Transport.Kafka;
using Partitioner = Faust.Routing.Partitioner;
using TopicPartition = Faust.Transport.TopicPartition;

namespace Faust.Kafka.Tests;

[Collection(MockClusterCollection.Name)]
public sealed class AppTests(MockClusterFixture mock)
{
    private static readonly string[] Urls = [.. Enumerable.Range(0, 12).Select(i => $"https://example.com/page/{i}")];

    private (string Id, string Topic) NewNames()
    {
        var id = mock.Unique("clicks-app");
        var topic = mock.Unique("clicks");
        ClickCounter.CreateTopics(mock.Cluster, topic, id);
        return (id, topic);
    }

    private static async Task SendClicksAsync(ClickCounter app, int count, int start = 0)
    {
        for (var i = start; i < start + count; i++)
        {
            await app.Clicks.SendAsync(Urls[i % Urls.Length], 1);
        }
    }

    private static Dictionary<string, long> Expected(int total)
    {
        var expected = Urls.ToDictionary(u => u, _ => 0L);
        for (var i = 0; i < total; i++)
        {
            expected[Urls[i % Urls.Length]]++;
        }

        return expected;
    }

    [Fact]
    public async Task ClickCounter_CountsEveryClick_AndCommitsWhatItProcessed()
    {
        var (id, topic) = NewNames();
        var options = mock.Options(id);
        // Only the explicit commits below commit: the interval must not do it for them.
        options.CommitInterval = TimeSpan.FromHours(1);
        await using var app = new ClickCounter(options, topic);
        await app.StartAsync();
        await SendClicksAsync(app, 240);
        await app.WaitProcessedAsync(240);

        foreach (var (url, count) in Expected(240))
        {
            Assert.Equal(count, app.Counts[url]);
        }

        // The agent acknowledges its last click only when it asks for the next one, which may come after the test saw
        // the count: commit until the commit covers it.
        var ends = Enumerable.Range(0, ClickCounter.Partitions).Select(p => mock.HighWatermark(topic, p)).ToArray();
        Assert.Equal(240, ends.Sum());
        await Eventually.UntilAsync(async () =>
        {
            await app.App.CommitAsync();
            var committed = mock.CommittedOffsets(id, topic, ClickCounter.Partitions);
            return Enumerable.Range(0, ClickCounter.Partitions).Select(p => committed[new TopicPartition(topic, p)]).ToArray();
        }, committed => committed.SequenceEqual(ends), $"CommitAsync to commit every partition's end ({string.Join(", ", ends)})");

        // Table writes went to the changelog on the partition of the click's key: at least one record per URL, at
        // most one per click (writes between two commits send one record per key: the changelog buffer).
        var changelogRecords = Enumerable.Range(0, ClickCounter.Partitions).Sum(p => mock.HighWatermark(app.Changelog, p));
        Assert.InRange(changelogRecords, Expected(240).Count, 240);
        var url0 = Urls[0];
        var partitionOfUrl0 = Partitioner.Default.PartitionFor(System.Text.Encoding.UTF8.GetBytes(url0), ClickCounter.Partitions);
        Assert.True(mock.HighWatermark(app.Changelog, partitionOfUrl0) >= 1);
    }

    [Fact]
    public async Task CommitInterval_CommitsWithoutBeingAsked()
    {
        var (id, topic) = NewNames();
        await using var app = new ClickCounter(mock.Options(id), topic);
        await app.StartAsync();
        await SendClicksAsync(app, 40);
        await app.WaitProcessedAsync(40);
        await Eventually.TrueAsync(() =>
        {
            var committed = mock.CommittedOffsets(id, topic, ClickCounter.Partitions);
            return Enumerable.Range(0, ClickCounter.Partitions).All(p => committed[new TopicPartition(topic, p)] == mock.HighWatermark(topic, p));
        }, "the commit interval to commit every partition's end");
    }

    [Fact]
    public async Task UnacknowledgedEvent_IsNeverCommitted()
    {
        var id = mock.Unique("held-app");
        var topic = mock.Unique("held");
        mock.Cluster.CreateTopic(topic, 1);
        mock.Cluster.CreateTopic($"{id}-click_counts-changelog", 1);
        ClickCounter.CreateInternalTopics(mock.Cluster, id, 1);
        var release = new TaskCompletionSource();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = mock.Options(id);
        options.TopicPartitions = 1;
        await using var app = new ClickCounter(options, topic, beforeCount: n =>
        {
            if (n >= 0)
            {
                return Task.CompletedTask;
            }

            held.TrySetResult();
            return release.Task;
        });
        // Disposing waits for the agent: it must never stay held, whatever fails first.
        await using var releaseAtEnd = new ReleaseOnDispose(release);
        await app.StartAsync();
        foreach (var n in new[] { 1, 1, -1, 1, 1 })
        {
            await app.Clicks.SendAsync("k", n);
        }

        // The agent acknowledges the second click when it moves on to the third, after the count the test could poll:
        // once it holds the third, the first two are acknowledged and the third is not.
        await app.WaitProcessedAsync(2);
        await Eventually.TrueAsync(() => held.Task.IsCompleted, "the agent to hold the third click");
        await app.App.CommitAsync();
        Assert.Equal(2, mock.Committed(id, topic, 0));

        release.SetResult();
        await app.WaitProcessedAsync(5);
        await Eventually.TrueAsync(async () =>
        {
            await app.App.CommitAsync();
            return mock.Committed(id, topic, 0) == 5;
        }, "the commit to pass the released event");
        Assert.Equal(3, app.Counts["k"]);
    }

    [Fact]
    public async Task RestartedWorker_ResumesFromCommittedOffsets_WithItsTableRecovered()
    {
        var (id, topic) = NewNames();
        await using (var first = new ClickCounter(mock.Options(id), topic))
        {
            await first.StartAsync();
            await SendClicksAsync(first, 120);
            await first.WaitProcessedAsync(120);
        }

        await using var second = new ClickCounter(mock.Options(id), topic);
        await second.StartAsync();
        foreach (var (url, count) in Expected(120))
        {
            Assert.Equal(count, second.Counts[url]);
        }

        await SendClicksAsync(second, 60, start: 120);
        await second.WaitProcessedAsync(60);
        await Task.Yield();
        Assert.Equal(60, second.Processed);
        foreach (var (url, count) in Expected(180))
        {
            Assert.Equal(count, second.Counts[url]);
        }
    }

    [Fact]
    public async Task TwoWorkers_SplitThePartitions_CountEverythingOnce_AndHandOverOnLeave()
    {
        var (id, topic) = NewNames();
        var all = Enumerable.Range(0, ClickCounter.Partitions).Select(p => new TopicPartition(topic, p)).ToHashSet();
        var logsA = new LogCapture { Debug = true };
        var logsB = new LogCapture { Debug = true };
        await using var a = new ClickCounter(mock.Options(id, workerId: "a"), topic, logsA);
        await a.StartAsync();
        await SendClicksAsync(a, 120);
        await a.WaitProcessedAsync(120);

        // Not one CommitAsync: it commits what is acknowledged, and the agent acknowledges its 120th click only when
        // it asks for the next one, which may come after the test saw the count. The revocation below would commit
        // it on Kafka (at an event boundary), but the mock refuses commits during a rebalance (see below), so B
        // would count it again. Wait for the interval commit to cover every click instead.
        await Eventually.TrueAsync(() =>
        {
            var committed = mock.CommittedOffsets(id, topic, ClickCounter.Partitions);
            return all.All(tp => committed[tp] == mock.HighWatermark(topic, tp.Partition));
        }, "A to commit the first 120 clicks");

        var b = new ClickCounter(mock.Options(id, workerId: "b"), topic, logsB);
        try
        {
            await b.App.StartAsync();
            await Eventually.TrueAsync(() =>
                a.Assignment.Count > 0 && b.Assignment.Count > 0 && a.Assignment.Concat(b.Assignment).ToHashSet().SetEquals(all)
                && a.Assignment.Count + b.Assignment.Count == all.Count && a.App.IsReady && b.App.IsReady,
                "the two workers to split the partitions and recover", TimeSpan.FromSeconds(60));

            // Nothing acknowledged before the rebalance was lost or processed again: B recovered A's counts.
            await SendClicksAsync(a, 120, start: 120);
            await Eventually.TrueAsync(() => a.Processed + b.Processed >= 240, "240 clicks processed between the two workers");
            var owners = a.Assignment.Select(tp => tp.Partition).ToHashSet();
            foreach (var (url, count) in Expected(240))
            {
                var partition = Partitioner.Default.PartitionFor(System.Text.Encoding.UTF8.GetBytes(url), ClickCounter.Partitions);
                var owner = owners.Contains(partition) ? a : b;
                var other = owner == a ? b : a;
                Assert.Equal(count, owner.Counts[url]);
                Assert.False(other.Counts.ContainsKey(url), $"{url} (partition {partition}) is held by the worker that does not own it");
            }

            Assert.Equal(120, a.Processed + b.Processed - 120);

            // The mock refuses commits while a rebalance is in progress (REBALANCE_IN_PROGRESS), which Kafka's
            // coordinator accepts, so the commit in A's revoked callback fails there: let the interval commit
            // everything first, or A would count again what it processed after its last commit.
            await Eventually.TrueAsync(() =>
            {
                var committed = mock.CommittedOffsets(id, topic, ClickCounter.Partitions);
                return all.All(tp => committed[tp] == mock.HighWatermark(topic, tp.Partition));
            }, "both workers to commit what they processed");
        }
        finally
        {
            await b.DisposeAsync();
        }

        // B left: A gets every partition back and recovers B's part from the changelog.
        await Eventually.TrueAsync(() => a.Assignment.Count == all.Count && a.App.IsReady, "A to own every partition again", TimeSpan.FromSeconds(60));
        await SendClicksAsync(a, 12, start: 240);
        await Eventually.TrueAsync(() => Expected(252).All(e => a.Counts[e.Key] == e.Value),
            () => "A's counts to include B's and the new clicks; A has " + string.Join(", ", Urls.Select(u => $"{u[^7..]}={a.Counts[u]}")) + "; expected " + string.Join(", ", Expected(252).Select(e => $"{e.Key[^7..]}={e.Value}")) + "\nA:\n" + logsA.Dump() + "\nB:\n" + logsB.Dump());
    }

    [Fact]
    public async Task Revocation_WaitsForTheEventInFlight_BeforeItGivesThePartitionAway()
    {
        // A's agent is in the middle of an event (before its table write) when B joins and A's partitions are
        // revoked. The revocation must wait for the event to finish: released earlier, the partition's store is
        // closed under the agent (the write fails) or its changelog write lands in the new owner's partition after
        // the hand-over, and an event that wrote the table before its offset was committed is recovered by the new
        // owner AND processed by it again.
        var (id, topic) = NewNames();
        var all = Enumerable.Range(0, ClickCounter.Partitions).Select(p => new TopicPartition(topic, p)).ToHashSet();
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var logsA = new LogCapture();
        await using var a = new ClickCounter(mock.Options(id, workerId: "a"), topic, logsA, beforeCount: _ =>
        {
            inFlight.TrySetResult();
            return release.Task;
        });
        await a.StartAsync();
        await a.Clicks.SendAsync(Urls[0], 1);
        await inFlight.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await using var b = new ClickCounter(mock.Options(id, workerId: "b"), topic);
        await b.App.StartAsync();
        await Eventually.TrueAsync(() => logsA.Lines.Any(l => l.Message.StartsWith("Revoked", StringComparison.Ordinal)), "A's partitions to be revoked");

        // The rebalance cannot complete while A waits for its event: B gets nothing.
        var held = Stopwatch.StartNew();
        while (held.Elapsed < TimeSpan.FromSeconds(2))
        {
            Assert.Empty(b.Assignment);
            await Task.Delay(50);
        }

        release.SetResult();
        await Eventually.TrueAsync(() =>
            a.Assignment.Count + b.Assignment.Count == all.Count && a.Assignment.Concat(b.Assignment).ToHashSet().SetEquals(all) && a.App.IsReady && b.App.IsReady,
            "the two workers to split the partitions and recover", TimeSpan.FromSeconds(60));

        // The event finished on A with its partition still assigned: its write succeeded and nothing failed.
        await Eventually.TrueAsync(() => a.Processed + a.Agent.DeadLettered + a.Agent.Skipped + a.Agent.Crashes > 0, "A's event in flight to finish");
        Assert.True(a.Processed > 0, "A's event in flight was not counted");
        Assert.Equal(0, a.Agent.DeadLettered + a.Agent.Skipped + a.Agent.Crashes);
        Assert.DoesNotContain(logsA.Lines, l => l.Message.Contains("is not assigned to this worker", StringComparison.Ordinal));
        Assert.Null(a.App.Worker!.Fault);
    }

    [Fact]
    public async Task WorkerThatLeaves_HandsItsPartitionsToTheOther_WhichRecoversThemFromTheChangelog()
    {
        // Both workers on RocksDB, each with its own data directory: the survivor has never held the leaver's
        // partitions with any data in them, so what it counts there after the hand-over comes from the changelog.
        var (id, topic) = NewNames();
        var root = Path.Combine(Path.GetTempPath(), "faust-kafka-handover", Guid.NewGuid().ToString("N"));
        FaustOptions Options(string worker)
        {
            var options = mock.Options(id, workerId: worker);
            options.Store = "rocksdb://";
            options.DataDirectory = Path.Combine(root, worker);
            options.TableStandbyReplicas = 0; // no standby: everything the survivor takes over comes from the changelog
            return options;
        }

        var all = Enumerable.Range(0, ClickCounter.Partitions).Select(p => new TopicPartition(topic, p)).ToHashSet();
        try
        {
            await using var survivor = new ClickCounter(Options("survivor"), topic);
            var leaver = new ClickCounter(Options("leaver"), topic);
            try
            {
                await Task.WhenAll(survivor.StartAsync(), leaver.StartAsync());
                await Eventually.TrueAsync(() =>
                    survivor.Assignment.Count > 0 && leaver.Assignment.Count > 0 && survivor.Assignment.Count + leaver.Assignment.Count == all.Count
                    && survivor.Assignment.Concat(leaver.Assignment).ToHashSet().SetEquals(all) && survivor.App.IsReady && leaver.App.IsReady,
                    "the two workers to split the partitions", TimeSpan.FromSeconds(60));

                await SendClicksAsync(survivor, 120);
                await Eventually.TrueAsync(() => survivor.Processed + leaver.Processed == 120, "120 clicks processed between the two workers");
                Assert.True(leaver.Processed > 0, "the leaver counted none of the clicks");
                // The mock refuses commits during a rebalance (see above): let the interval commit everything first.
                await Eventually.TrueAsync(() =>
                {
                    var committed = mock.CommittedOffsets(id, topic, ClickCounter.Partitions);
                    return all.All(tp => committed[tp] == mock.HighWatermark(topic, tp.Partition));
                }, "both workers to commit what they processed");
            }
            finally
            {
                await leaver.DisposeAsync();
            }

            await Eventually.TrueAsync(() => survivor.Assignment.Count == all.Count && survivor.App.IsReady,
                "the survivor to own every partition and to have recovered the leaver's", TimeSpan.FromSeconds(60));
            // Ready means recovered: the leaver's counts are all there as soon as the survivor says so.
            foreach (var (url, count) in Expected(120))
            {
                Assert.Equal(count, survivor.Counts[url]);
            }

            // It goes on from the leaver's committed offsets: nothing is counted twice.
            var before = survivor.Processed;
            await SendClicksAsync(survivor, 36, start: 120);
            await survivor.WaitProcessedAsync(before + 36);
            await Task.Yield();
            Assert.Equal(before + 36, survivor.Processed);
            foreach (var (url, count) in Expected(156))
            {
                Assert.Equal(count, survivor.Counts[url]);
            }
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

    [Fact]
    public async Task ExactlyOnce_ProducesInTransactions_WithTheConsumersOffsets()
    {
        var (id, topic) = NewNames();
        await using var app = new ClickCounter(mock.Options(id, workerId: "eos-1", guarantee: "exactly_once"), topic);
        mock.Cluster.StartRequestTracking();
        mock.Cluster.ClearRequests();
        await app.StartAsync();
        await SendClicksAsync(app, 48);
        await app.WaitProcessedAsync(48);
        await app.App.CommitAsync();

        var transport = Assert.IsType<KafkaTransport>(app.App.Worker!.Transport);
        Assert.Equal($"{id}-eos-1", transport.Settings.TransactionalId);
        var keys = mock.Cluster.RecordedApiKeys().ToHashSet();
        // InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, TxnOffsetCommit.
        foreach (var (key, name) in new (short, string)[] { (22, "InitProducerId"), (24, "AddPartitionsToTxn"), (25, "AddOffsetsToTxn"), (26, "EndTxn"), (28, "TxnOffsetCommit") })
        {
            Assert.True(keys.Contains(key), $"the mock saw no {name} request");
        }

        foreach (var (url, count) in Expected(48))
        {
            Assert.Equal(count, app.Counts[url]);
        }

        // The mock takes TxnOffsetCommit but does not store it as the group's offsets (it does not enforce
        // transactions), so the worker's own record of what the transaction committed is checked instead.
        var worker = app.App.Worker!;
        Assert.Equal(48, Enumerable.Range(0, ClickCounter.Partitions).Sum(p => worker.CommittedOffset(new TopicPartition(topic, p)) ?? 0));
    }

    [Fact]
    public async Task DeclaredPartitionCount_ThatDiffers_IsNamedAtStart()
    {
        var id = mock.Unique("mismatch-app");
        var topic = mock.Unique("orders");
        mock.Cluster.CreateTopic(topic, 4);
        await using var app = new FaustApp(mock.Options(id));
        app.Topic<string, string>(topic, partitions: 8);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        Assert.Contains($"Topic '{topic}' is declared with 8 partitions but has 4", error.Message);
    }

    [Fact]
    public async Task MissingTopic_IsNamedAtStart()
    {
        var id = mock.Unique("missing-app");
        var topic = mock.Unique("absent");
        await using var app = new FaustApp(mock.Options(id));
        app.Topic<string, string>(topic);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        Assert.Contains($"Topic '{topic}' does not exist", error.Message);
    }

    [Fact]
    public async Task PassThroughSettings_ThatAreReservedOrUnknown_AreNamed()
    {
        var options = mock.Options(mock.Unique("settings-app"));
        options.Kafka.Consumer["group.id"] = "mine";
        Assert.Contains(options.Validate(), e => e.StartsWith("Faust:Kafka:Consumer:group.id cannot be set", StringComparison.Ordinal));

        options.Kafka.Consumer.Remove("group.id");
        options.Kafka.Producer["no.such.property"] = "1";
        await using var app = new FaustApp(options);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        Assert.Contains("Faust:Kafka:Producer:no.such.property is not valid", error.Message);
    }

    [Fact]
    public async Task BrokerDown_AtStartUp_IsRetriedWithBackoff_WithoutSpinning()
    {
        using var cluster = new MockCluster(brokers: 1);
        MockClusterFixture.Prepare(cluster);
        var id = mock.Unique("down-app");
        var topic = mock.Unique("clicks");
        ClickCounter.CreateTopics(cluster, topic, id);
        cluster.SetBrokerDown(1);
        var logs = new LogCapture();
        await using var app = new ClickCounter(MockClusterFixture.ForCluster(cluster.BootstrapServers, id), topic, logs);
        var starting = app.StartAsync();

        await Eventually.TrueAsync(() => logs.Contains("is not reachable"), "the worker to log that Kafka is not reachable");
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3)); // the measurement window, not a wait for a condition
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        Assert.False(starting.IsCompleted, "start-up completed while the broker was down");
        Assert.True(cpu < wall.Elapsed * 0.25, $"the worker used {cpu.TotalMilliseconds:F0} ms of CPU in {wall.Elapsed.TotalMilliseconds:F0} ms while the broker was down");

        cluster.SetBrokerUp(1);
        await starting.WaitAsync(TimeSpan.FromSeconds(60));
        await SendClicksAsync(app, 12);
        await app.WaitProcessedAsync(12);
    }

    private sealed class ReleaseOnDispose(TaskCompletionSource release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            release.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }
}
