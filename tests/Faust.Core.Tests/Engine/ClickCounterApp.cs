using Faust.App;
using Faust.Tables;
using Faust.Topics;

namespace Faust.Core.Tests.Engine;

/// <summary>The seed's page-view counter, as a test fixture.</summary>
public sealed class ClickCounterApp : IAsyncDisposable
{
    public ClickCounterApp(string broker, string id = "clicks-app", ProcessingGuarantee guarantee = ProcessingGuarantee.AtLeastOnce, string? dataDirectory = null, TimeSpan? commitInterval = null)
    {
        App = new FaustApp(new FaustOptions
        {
            Id = id,
            Broker = broker,
            DataDirectory = dataDirectory,
            ProcessingGuarantee = guarantee == ProcessingGuarantee.ExactlyOnce ? "exactly_once" : "at_least_once",
            CommitInterval = commitInterval ?? TimeSpan.FromMilliseconds(100),
        });
        Clicks = App.Topic<string, int>("clicks");
        Counts = App.Table<string, long>("click_counts", () => 0L);
        App.Agent(Clicks, async (stream, ct) =>
        {
            await foreach (var (url, n) in stream.Items().WithCancellation(ct))
            {
                Counts[url] += n;
                Interlocked.Increment(ref _processed);
            }
        }, name: "count_click");
    }

    private long _processed;

    public FaustApp App { get; }

    public Topic<string, int> Clicks { get; }

    public Table<string, long> Counts { get; }

    public long Processed => Interlocked.Read(ref _processed);

    public async Task StartAsync()
    {
        await App.StartAsync();
        await App.WhenReady.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task WaitProcessedAsync(long count) =>
        await Eventually.TrueAsync(() => Processed >= count, $"the agent to process {count} clicks (processed {Processed})");

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
