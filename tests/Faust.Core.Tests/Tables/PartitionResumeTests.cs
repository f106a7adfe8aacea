using Faust.App;
using Faust.Core.Tests.Engine;
using Faust.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faust.Core.Tests.Tables;

public sealed class PartitionResumeTests
{
    // Partition of 8 (DESIGN decision 2): page/0 -> 3, page/1 -> 7.
    private const string Big = "https://example.com/page/0";
    private const string Small = "https://example.com/page/1";

    [Fact]
    public async Task APartitionWhoseTablesAreRecovered_ProcessesEvents_WhileAnotherPartitionStillRecovers()
    {
        var broker = $"memory://resume-{Guid.NewGuid():N}";
        await using var app = new ClickCounterApp(broker, id: "resume");

        // The changelog exists before the worker starts: a big partition 3 and a small partition 7. (The transport
        // stays open: disposing the last memory transport of a broker drops it.)
        await using var transport = TransportFactory.Create(app.App.Options, NullLoggerFactory.Instance);
        {
            const string changelog = "resume-click_counts-changelog";
            await transport.EnsureTopicAsync(new TopicSpec(changelog, 8, Compacted: true, Internal: true));
            var producer = transport.CreateProducer();
            for (var i = 1; i <= 1000; i++)
            {
                await producer.ProduceAsync(new TopicPartition(changelog, 3), new TransportRecord(System.Text.Encoding.UTF8.GetBytes(Big), System.Text.Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), null, 0));
            }

            await producer.ProduceAsync(new TopicPartition(changelog, 7), new TransportRecord(System.Text.Encoding.UTF8.GetBytes(Small), "5"u8.ToArray(), null, 0));
            producer.Dispose();
        }

        // Partition 3's recovery is held (a deterministic stand-in for a slow changelog) until released.
        var release = new ManualResetEventSlim();
        app.App.RecoveryHold = tp => tp.Partition == 3 && !release.IsSet;
        await app.App.StartAsync();

        await app.Clicks.SendAsync(Big, 1);
        await app.Clicks.SendAsync(Big, 1);
        for (var i = 0; i < 3; i++)
        {
            await app.Clicks.SendAsync(Small, 1);
        }

        await app.WaitProcessedAsync(3);
        var worker = app.App.Worker!;
        Assert.Equal(8, app.Counts[Small]);
        Assert.True(worker.IsRecovered(7));
        Assert.False(worker.IsRecovered(3));
        Assert.False(worker.IsReady);
        Assert.Equal(3, app.Processed); // partition 3's clicks wait for its recovery

        release.Set();
        await app.App.WhenReady.WaitAsync(TimeSpan.FromSeconds(20));
        await app.WaitProcessedAsync(5);
        Assert.True(worker.IsRecovered(3));
        Assert.True(worker.IsReady);
        Assert.Equal(1002, app.Counts[Big]);
        Assert.Equal(8, app.Counts[Small]);
    }
}
