using System.Diagnostics;

namespace Faust.Kafka.Tests;

// The monitor on Kafka: an assigned partition's end offset comes from what the consumer's fetches brought back (no
// broker request per partition and second), any other partition's from a broker request made only now and then; and
// stopping never waits for a sample that is asking a broker.
[Collection(MockClusterCollection.Name)]
public sealed class MonitorOnKafkaTests(MockClusterFixture mock)
{
    [Fact]
    public async Task EndOffsets_OfSourcesAndChangelogs_MatchTheBroker_AndLagIsZeroOnceCommitted()
    {
        var id = mock.Unique("monitor-app");
        var topic = mock.Unique("clicks");
        ClickCounter.CreateTopics(mock.Cluster, topic, id);
        await using var app = new ClickCounter(mock.Options(id), topic);
        await app.StartAsync();
        for (var i = 0; i < 120; i++)
        {
            await app.Clicks.SendAsync($"https://example.com/page/{i % 12}", 1);
        }

        await app.WaitProcessedAsync(120);
        await app.App.CommitAsync();

        var monitor = app.App.Monitor;
        var source = Enumerable.Range(0, ClickCounter.Partitions).Select(p => mock.HighWatermark(topic, p)).ToArray();
        var changelog = Enumerable.Range(0, ClickCounter.Partitions).Select(p => mock.HighWatermark(app.Changelog, p)).ToArray();
        Assert.Equal(120, source.Sum());
        await Eventually.TrueAsync(() =>
        {
            monitor.Sample();
            var snapshot = monitor.Snapshot;
            var clicks = snapshot.Topics.Single(t => t.Name == topic).Partitions;
            var counts = snapshot.Topics.Single(t => t.Name == app.Changelog).Partitions;
            return clicks.Select(p => p.EndOffset).SequenceEqual(source.Select(h => (long?)h))
                && counts.Select(p => p.EndOffset).SequenceEqual(changelog.Select(h => (long?)h))
                && snapshot.TotalLag == 0;
        }, "the monitor to show the broker's end offsets of the source and the changelog, and no lag");
    }

    [Fact]
    public async Task Stopping_DoesNotWaitForASampleThatAsksABroker()
    {
        var id = mock.Unique("monitor-stop");
        var topic = mock.Unique("clicks");
        ClickCounter.CreateTopics(mock.Cluster, topic, id);
        var options = mock.Options(id);
        // A long request timeout, so a stop that waits for one stands out from a stop that is merely slow on a busy
        // machine: the bound below is a third of it, and far above what a healthy stop takes.
        options.Kafka.RequestTimeout = TimeSpan.FromSeconds(30);
        var bound = options.Kafka.RequestTimeout / 3;
        await using var app = new ClickCounter(options, topic);
        await app.StartAsync();
        await app.Clicks.SendAsync("https://example.com/page/0", 1);
        await app.WaitProcessedAsync(1);

        // Samples back to back while the app stops, as the once-a-second timer may be in one when a stop comes; the
        // pause leaves the stop a core on a small machine, while a sample stays under way almost all the time.
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(() =>
        {
            while (!sampling.IsCancellationRequested)
            {
                app.App.Monitor.Sample();
                Thread.Sleep(1);
            }
        });
        var watch = Stopwatch.StartNew();
        await app.App.StopAsync();
        watch.Stop();
        await sampling.CancelAsync();
        await sampler;

        // A sample that asked a closing consumer waited for the request timeout before stop could finish.
        Assert.True(watch.Elapsed < bound, $"stopping took {watch.Elapsed.TotalSeconds:F1} s (a request timeout is {options.Kafka.RequestTimeout.TotalSeconds:F0} s; a healthy stop takes well under {bound.TotalSeconds:F0} s)");
    }
}
