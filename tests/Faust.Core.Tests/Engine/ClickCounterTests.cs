using Faust.App;
using Faust.Transport;

namespace Faust.Core.Tests.Engine;

public sealed class ClickCounterTests
{
    private static async Task<Dictionary<string, long>> SendClicksAsync(ClickCounterApp app, int events, int urls, int seed)
    {
        var random = new Random(seed);
        var expected = new Dictionary<string, long>();
        for (var i = 0; i < events; i++)
        {
            var url = $"https://example.com/page/{random.Next(urls)}";
            var n = 1 + (i % 3);
            expected[url] = expected.GetValueOrDefault(url) + n;
            await app.Clicks.SendAsync(url, n);
        }

        return expected;
    }

    [Fact]
    public async Task Counts_EveryClick_OnMemory()
    {
        await using var app = new ClickCounterApp("memory://");
        await app.StartAsync();
        var expected = await SendClicksAsync(app, 1000, 50, seed: 1);
        await app.WaitProcessedAsync(1000);
        foreach (var (url, count) in expected)
        {
            Assert.Equal(count, app.Counts[url]);
        }

        Assert.Equal(0, app.Counts["https://never.example/"]);
        Assert.Equal(expected.Count, app.Counts.Count);
    }

    [Fact]
    public async Task TableWrites_GoToTheChangelogPartitionOfTheEvent()
    {
        await using var app = new ClickCounterApp("memory://");
        await app.StartAsync();
        var result = await app.Clicks.SendAsync("https://example.com/page/0", 1);
        Assert.Equal(3, result.Partition); // DESIGN decision 2: murmur2 of the URL, 8 partitions
        await app.WaitProcessedAsync(1);
        await app.App.CommitAsync();

        var transport = app.App.Worker!.Transport;
        using var reader = transport.CreateConsumer(null);
        var changelog = new TopicPartition("clicks-app-click_counts-changelog", 3);
        reader.Assign([new(changelog, 0L)]);
        var batch = reader.Poll(TimeSpan.FromSeconds(5));
        Assert.NotNull(batch);
        Assert.Equal("https://example.com/page/0", System.Text.Encoding.UTF8.GetString(batch.Records[0].Record.Key!));
        Assert.Equal("1", System.Text.Encoding.UTF8.GetString(batch.Records[0].Record.Value!));
    }

    [Fact]
    public async Task Commit_CoversEveryProcessedEvent()
    {
        await using var app = new ClickCounterApp("memory://");
        await app.StartAsync();
        await SendClicksAsync(app, 200, 10, seed: 2);
        await app.WaitProcessedAsync(200);

        // The agent acknowledges an event when it moves past it, after it counted it: commit until the last one is in.
        long Committed()
        {
            long committed = 0;
            for (var p = 0; p < 8; p++)
            {
                committed += app.App.Worker!.CommittedOffset(new TopicPartition("clicks", p)) ?? 0;
            }

            return committed;
        }

        await Eventually.TrueAsync(async () =>
        {
            await app.App.CommitAsync();
            return Committed() == 200;
        }, () => $"the commits to cover the 200 processed clicks (committed {Committed()})");
    }

    [Theory]
    [InlineData(ProcessingGuarantee.AtLeastOnce)]
    [InlineData(ProcessingGuarantee.ExactlyOnce)]
    public async Task Restart_OnEmbedded_KeepsCounts_AndAddsExactlyTheNewEvents(ProcessingGuarantee guarantee)
    {
        using var dir = new TempDirectory();
        var broker = $"embedded://{dir.Path}/broker";
        Dictionary<string, long> expected;
        // An hour between interval commits: only the commit at shutdown can make the restart resume where it stopped.
        await using (var first = new ClickCounterApp(broker, guarantee: guarantee, commitInterval: TimeSpan.FromHours(1)))
        {
            await first.StartAsync();
            expected = await SendClicksAsync(first, 500, 20, seed: 3);
            await first.WaitProcessedAsync(500);
        }

        await using var second = new ClickCounterApp(broker, guarantee: guarantee);
        await second.StartAsync();
        foreach (var (url, count) in expected)
        {
            Assert.Equal(count, second.Counts[url]);
        }

        Assert.Equal(0, second.Processed);
        var more = await SendClicksAsync(second, 100, 20, seed: 4);
        await second.WaitProcessedAsync(100);
        await Task.Delay(200); // nothing beyond the 100 new events may be processed
        Assert.Equal(100, second.Processed);
        foreach (var (url, count) in more)
        {
            Assert.Equal(expected.GetValueOrDefault(url) + count, second.Counts[url]);
        }
    }

    [Fact]
    public async Task SecondWorker_OnTheSameEmbeddedDirectory_IsRefused()
    {
        using var dir = new TempDirectory();
        var broker = $"embedded://{dir.Path}/broker";
        await using var first = new ClickCounterApp(broker);
        await first.StartAsync();
        await using var second = new ClickCounterApp(broker);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(second.StartAsync);
        Assert.Contains("consumer group 'clicks-app'", error.Message);
    }

    [Fact]
    public async Task StoppingTheWorkerTwice_SideBySide_BothReturnOnceItIsStopped()
    {
        // A host may stop its services twice at once (WebApplicationFactory's dispose beside the app's own Run): the
        // second caller must not return while the first still commits and closes the worker.
        await using var app = new ClickCounterApp("memory://");
        await app.StartAsync();
        await app.Clicks.SendAsync("u", 1, partition: 0);
        await app.WaitProcessedAsync(1);
        var table = (Faust.Tables.ITableView)app.Counts;
        Assert.NotNull(table.StoreOf(0));

        var first = app.App.StopWorkerAsync(CancellationToken.None);
        var second = app.App.StopWorkerAsync(CancellationToken.None);
        await second;

        Assert.Null(table.StoreOf(0));
        await first;
    }

    [Fact]
    public async Task BadRecord_IsDeadLettered_AndTheAgentGoesOn()
    {
        await using var app = new ClickCounterApp("memory://");
        await app.StartAsync();
        var producer = app.App.Worker!.Transport.CreateProducer();
        await producer.ProduceAsync(new TopicPartition("clicks", 0), new TransportRecord("u"u8.ToArray(), "not a number"u8.ToArray(), null, 0));
        await app.Clicks.SendAsync("u", 5, partition: 0);
        await app.WaitProcessedAsync(1);
        Assert.Equal(5, app.Counts["u"]);
        await Eventually.TrueAsync(async () =>
        {
            await app.App.CommitAsync();
            return app.App.Worker.CommittedOffset(new TopicPartition("clicks", 0)) == 2;
        }, () => $"the commit to pass the dead letter and the good record (committed {app.App.Worker.CommittedOffset(new TopicPartition("clicks", 0))})");
        Assert.Equal(1, app.App.Worker.DeadLetters!.Sent);
    }

    [Fact]
    public void BadSetting_NamesTheSetting()
    {
        var options = new FaustOptions { Broker = "nats://x", ProcessingGuarantee = "maybe" };
        var errors = options.Validate();
        Assert.Contains(errors, e => e.StartsWith("Faust:Broker", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Faust:ProcessingGuarantee", StringComparison.Ordinal) && e.Contains("exactly_once"));
    }

    [Theory]
    [InlineData("replies/w1", false)]
    [InlineData("", false)]
    [InlineData("f-reply.worker_1", true)]
    public void ReplyTopic_MustBeAKafkaTopicName(string topic, bool valid)
    {
        var errors = new FaustOptions { ReplyTopic = topic }.Validate();
        Assert.Equal(valid, !errors.Any(e => e.StartsWith("Faust:ReplyTopic", StringComparison.Ordinal)));
    }
}
