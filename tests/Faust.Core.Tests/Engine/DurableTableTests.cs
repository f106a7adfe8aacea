using Faust.App;
using Faust.Transport;

namespace Faust.Core.Tests.Engine;

public sealed class DurableTableTests
{
    private static ClickCounterApp NewApp(string dir, string broker, ProcessingGuarantee guarantee = ProcessingGuarantee.AtLeastOnce)
    {
        var app = new ClickCounterApp(broker, guarantee: guarantee, dataDirectory: dir);
        app.App.Options.Store = "rocksdb://";
        return app;
    }

    private static async Task SendAsync(ClickCounterApp app, int count, string prefix)
    {
        for (var i = 0; i < count; i++)
        {
            await app.Clicks.SendAsync($"{prefix}{i % 25}", 1);
        }
    }

    [Theory]
    [InlineData(ProcessingGuarantee.AtLeastOnce)]
    [InlineData(ProcessingGuarantee.ExactlyOnce)]
    public async Task WarmRestart_WithACurrentStore_ReadsNothingFromTheChangelog(ProcessingGuarantee guarantee)
    {
        using var dir = new TempDirectory();
        var broker = $"embedded://{dir.Path}/broker";
        await using (var first = NewApp(dir.Path, broker, guarantee))
        {
            await first.StartAsync();
            await SendAsync(first, 400, "u");
            await first.WaitProcessedAsync(400);
        }

        Assert.True(Directory.Exists(Path.Combine(dir.Path, "v1", "tables", "click_counts-0.db")));
        await using var second = NewApp(dir.Path, broker, guarantee);
        await second.StartAsync();
        Assert.Equal(0, second.App.Worker!.Recovery.Total);
        Assert.Equal(400, Enumerable.Range(0, 25).Sum(i => second.Counts[$"u{i}"]));
        await SendAsync(second, 50, "u");
        await second.WaitProcessedAsync(50);
        Assert.Equal(450, Enumerable.Range(0, 25).Sum(i => second.Counts[$"u{i}"]));
    }

    [Fact]
    public async Task StaleStore_RecoversOnlyTheChangelogTail()
    {
        using var dir = new TempDirectory();
        var broker = $"embedded://{dir.Path}/broker";
        await using (var first = NewApp(dir.Path, broker))
        {
            await first.StartAsync();
            await SendAsync(first, 200, "u");
            await first.WaitProcessedAsync(200);
            await first.App.CommitAsync();

            // Changelog records the store has not flushed (as after a crash between commits).
            var producer = first.App.Worker!.Transport.CreateProducer();
            await producer.ProduceAsync(new TopicPartition("clicks-app-click_counts-changelog", 0),
                new TransportRecord("extra"u8.ToArray(), "7"u8.ToArray(), null, 0));
        }

        await using var second = NewApp(dir.Path, broker);
        await second.StartAsync();
        Assert.Equal(1, second.App.Worker!.Recovery.Total);
        Assert.Equal(7, second.Counts["extra"]);
        Assert.Equal(200, Enumerable.Range(0, 25).Sum(i => second.Counts[$"u{i}"]));
    }

    [Fact]
    public async Task StoreAheadOfItsChangelog_IsRebuilt_NotACrashLoop()
    {
        using var dir = new TempDirectory();
        await using (var first = NewApp(dir.Path, $"embedded://{dir.Path}/broker-1"))
        {
            await first.StartAsync();
            await SendAsync(first, 100, "old");
            await first.WaitProcessedAsync(100);
        }

        // The topics are recreated (a new broker), the table stores stay: their offsets are beyond the new changelog.
        await using var second = NewApp(dir.Path, $"embedded://{dir.Path}/broker-2");
        await second.StartAsync();
        Assert.Equal(0, second.Counts["old0"]);
        await SendAsync(second, 10, "new");
        await second.WaitProcessedAsync(10);
        Assert.Equal(10, Enumerable.Range(0, 25).Sum(i => second.Counts[$"new{i}"]));
    }

    [Fact]
    public async Task Recovery_RaisesChangelogEvents_ThenRecovered_AndResetDropsLocalState()
    {
        using var dir = new TempDirectory();
        var broker = $"embedded://{dir.Path}/broker";
        await using (var first = new ClickCounterApp(broker, dataDirectory: dir.Path))
        {
            first.App.Options.ChangelogBufferSize = 0; // one changelog record per click
            await first.StartAsync();
            await SendAsync(first, 30, "k");
            await first.WaitProcessedAsync(30);
        }

        await using var second = new ClickCounterApp(broker, dataDirectory: dir.Path);
        var events = new List<(string Key, long Value, long Offset)>();
        var recovered = new TaskCompletionSource<int>();
        second.Counts.ChangelogEvent += (_, e) => events.Add((e.Key, e.Value, e.Offset));
        second.Counts.Recovered += (_, e) => recovered.TrySetResult(events.Count);
        await second.StartAsync();
        Assert.Equal(30, await recovered.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, events.Where(e => e.Key == "k0").Max(e => e.Value));
        Assert.Equal(25, second.Counts.Count);

        second.Counts.ResetLocalState();
        Assert.Equal(0, second.Counts.Count);
        Assert.Equal(0, second.Counts["k0"]);
    }
}
