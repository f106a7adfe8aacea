using Faust.App;
using Faust.Tables;
using Faust.Topics;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Kafka.Tests;

/// <summary>The seed's page-view counter on Kafka. Its topics must exist (the mock has no CreateTopics).</summary>
public sealed class ClickCounter : IAsyncDisposable
{
    public const int Partitions = 4;
    private long _processed;

    public ClickCounter(FaustOptions options, string clicksTopic, ILoggerFactory? logs = null, Func<int, Task>? beforeCount = null)
    {
        App = new FaustApp(options, logs);
        Clicks = App.Topic<string, int>(clicksTopic);
        Counts = App.Table<string, long>("click_counts", () => 0L);
        Agent = App.Agent(Clicks, async (stream, ct) =>
        {
            await foreach (var (url, n) in stream.Items().WithCancellation(ct))
            {
                if (beforeCount is not null)
                {
                    await beforeCount(n);
                }

                Counts[url] += n;
                Interlocked.Increment(ref _processed);
            }
        }, name: "count_click");
    }

    public FaustApp App { get; }

    /// <summary>The counting agent (its failure counters).</summary>
    public Faust.Agents.Agent<string, int> Agent { get; }

    public Topic<string, int> Clicks { get; }

    public Table<string, long> Counts { get; }

    public long Processed => Interlocked.Read(ref _processed);

    public string Changelog => Counts.ChangelogTopic;

    /// <summary>Creates the source topic and the changelog on the mock.</summary>
    internal static void CreateTopics(Faust.Transport.Kafka.MockCluster cluster, string clicksTopic, string appId)
    {
        cluster.CreateTopic(clicksTopic, Partitions);
        cluster.CreateTopic($"{appId}-click_counts-changelog", Partitions);
        CreateInternalTopics(cluster, appId, Partitions);
    }

    /// <summary>The internal topics of the app: the one-partition leader topic and the agent's dead letters.</summary>
    internal static void CreateInternalTopics(Faust.Transport.Kafka.MockCluster cluster, string appId, int partitions)
    {
        cluster.CreateTopic($"{appId}-__assignor-__leader", 1);
        cluster.CreateTopic($"{appId}-__assignor", 1);
        cluster.CreateTopic($"{appId}-count_click-dlq", partitions);
    }

    public async Task StartAsync()
    {
        await App.StartAsync();
        await App.WhenReady.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public Task WaitProcessedAsync(long count) =>
        Eventually.TrueAsync(() => Processed >= count, $"the agent to process {count} clicks (processed {Processed})");

    /// <summary>The partitions of the clicks topic assigned to this worker (the leader topic's is left out).</summary>
    public IReadOnlyCollection<TopicPartition> Assignment => [.. (App.Worker?.Assignment ?? []).Where(tp => tp.Topic == Clicks.Name)];

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
