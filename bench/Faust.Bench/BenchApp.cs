using System.Text;
using Faust.App;
using Faust.Routing;
using Faust.Tables;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Bench;

/// <summary>
/// The app every end-to-end benchmark measures: the seed's click counter (<c>counts[url] += n</c> on the
/// <c>click_counts</c> table, which writes the store and the changelog) or, with <c>count: false</c>, an agent on the
/// same topic that does nothing (the transport's ceiling). Also the click events they pre-produce: 1000 URLs in turn,
/// each with the value 1, to the partition Faust's partitioner gives the URL.
/// </summary>
internal sealed class BenchApp : IAsyncDisposable
{
    public const int Partitions = 8;
    public const int Urls = 1000;

    private long _processed;

    public BenchApp(FaustOptions options, bool count, ILoggerFactory? loggerFactory = null)
    {
        App = new FaustApp(options, loggerFactory);
        var clicks = App.Topic<string, int>("clicks");
        var counts = App.Table<string, long>("click_counts", () => 0L);
        Counts = counts;
        App.Agent(clicks, async (stream, ct) =>
        {
            if (count)
            {
                await foreach (var (url, n) in stream.Items().WithCancellation(ct))
                {
                    counts[url] += n;
                    _processed++;
                }
            }
            else
            {
                await foreach (var _ in stream.WithCancellation(ct))
                {
                    _processed++;
                }
            }
        });
    }

    public FaustApp App { get; }

    public Table<string, long> Counts { get; }

    /// <summary>Events the agent has taken from its stream (one agent writes it, so a plain increment).</summary>
    public long Processed => Volatile.Read(ref _processed);

    public async Task StartAsync()
    {
        await App.StartAsync();
        await App.WhenReady;
    }

    /// <summary>Waits until the agent has taken at least <paramref name="events"/> events.</summary>
    public async Task WaitForAsync(long events)
    {
        while (Processed < events)
        {
            await Task.Delay(1);
        }
    }

    public Dictionary<string, long> CountsByUrl()
    {
        var result = new Dictionary<string, long>();
        foreach (var (url, count) in Counts.Items())
        {
            result[url] = count;
        }

        return result;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();

    /// <summary>Produces <paramref name="events"/> clicks to 'clicks' and returns each URL's expected count.</summary>
    public static async Task<Dictionary<string, long>> PreProduceAsync(ITransportProducer producer, int events)
    {
        var keys = new byte[Urls][];
        var partitions = new int[Urls];
        for (var u = 0; u < Urls; u++)
        {
            keys[u] = Encoding.UTF8.GetBytes(Url(u));
            partitions[u] = Partitioner.Default.PartitionFor(keys[u].AsSpan(), Partitions);
        }

        var one = "1"u8.ToArray();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < events; i++)
        {
            var u = i % Urls;
            producer.Produce(new TopicPartition("clicks", partitions[u]), new TransportRecord(keys[u], one, null, now));
        }

        await producer.FlushAsync();
        var expected = new Dictionary<string, long>();
        for (var u = 0; u < Math.Min(events, Urls); u++)
        {
            expected[Url(u)] = (events / Urls) + (u < events % Urls ? 1 : 0);
        }

        return expected;
    }

    private static string Url(int u) => $"https://example.com/page/{u}";
}
