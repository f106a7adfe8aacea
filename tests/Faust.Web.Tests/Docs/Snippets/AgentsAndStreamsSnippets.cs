using System.Runtime.CompilerServices;
using Faust.Agents;
using Faust.App;
using Faust.Streams;
using Faust.Tables;
using Faust.Testing;
using Faust.Topics;
using Faust.Transport;
using Faust.Web.Hosting;
using Microsoft.Extensions.Logging;

namespace Faust.Web.Tests.Docs.Snippets;

// The C# blocks of docs/agents-and-streams.md, one region each. The parameters stand for what the page's text
// declares around a block.
internal static class AgentsAndStreamsSnippets
{
    internal static async Task SendToATopic(Topic<string, int> clicks)
    {
        #region send-to-a-topic
        await clicks.SendAsync("https://example.com/page/0", 1);             // partition = murmur2(key bytes) % partitions
        await clicks.SendAsync("https://example.com/page/0", 1, partition: 3);
        #endregion
    }

    internal static void Channel(FaustBuilder faust, ILogger logger)
    {
        #region channel
        var alerts = faust.Channel<string>("alerts");
        faust.Agent(alerts, async (stream, ct) =>
        {
            await foreach (var alert in stream.WithCancellation(ct))
            {
                logger.LogWarning("Alert: {Alert}", alert);
            }
        }, name: "log_alerts");
        #endregion
    }

    internal static void Events(FaustBuilder faust, Topic<string, int> clicks, ILogger logger)
    {
        #region events
        faust.Agent(clicks, async (stream, ct) =>
        {
            await foreach (var e in stream.Events().WithCancellation(ct))
            {
                logger.LogInformation("{Url} +{Views} from {Topic}[{Partition}] at offset {Offset}", e.Key, e.Value, e.Topic, e.Partition, e.Offset);
            }
        }, name: "log_clicks");
        #endregion
    }

    internal static void FilterAndEcho(FaustBuilder faust, Topic<string, Order> orders, Topic<string, Order> audit, Table<string, Order> lastOrder)
    {
        #region filter-and-echo
        faust.Agent(orders, async (stream, ct) =>
        {
            await foreach (var order in stream.Filter(o => o.Value > 0).Echo(audit).WithCancellation(ct))
            {
                lastOrder[order.AccountId] = order;
            }
        }, name: "process_order");
        #endregion
    }

    internal static void Chunk(FaustBuilder faust, Topic<string, int> clicks, Topic<string, int> totals)
    {
        #region chunk
        faust.Agent(clicks, async (stream, ct) =>
        {
            await foreach (var batch in stream.Chunk(500, TimeSpan.FromSeconds(1)).WithCancellation(ct))
            {
                await totals.SendAsync("clicks", batch.Sum(), ct: ct);       // one record per batch of up to 500 clicks
            }
        }, name: "sum_clicks");
        #endregion
    }

    internal static void ManualAck(FaustBuilder faust, Topic<string, Order> orders, Topic<string, Order> archive)
    {
        #region manual-ack
        faust.Agent(orders, async (stream, ct) =>
        {
            var manual = stream.NoAck();
            await foreach (var e in manual.Events().WithCancellation(ct))
            {
                await archive.SendAsync(e.Key, e.Value, ct: ct);
                manual.Ack(e);                                               // only now may its offset be committed
            }
        }, name: "archive_orders");
        #endregion
    }

    internal static void RepartitionBy(FaustBuilder faust)
    {
        #region repartition-by
        var orders = faust.Topic<string, Order>("orders");                      // keyed by order id
        var totals = faust.Table<string, decimal>("account_totals", () => 0m);  // keyed by account
        faust.Agent(orders.RepartitionBy(o => o.AccountId, "account"), async (stream, ct) =>
        {
            await foreach (var order in stream.WithCancellation(ct))
            {
                totals[order.AccountId] += order.Value;                          // on the account's partition
            }
        }, name: "total_by_account");
        #endregion
    }

    internal static void Options(FaustBuilder faust, Topic<string, Order> orders, Topic<string, decimal> charges)
    {
        #region agent-options
        faust.Agent(orders, async (stream, ct) =>
        {
            await foreach (var order in stream.WithCancellation(ct))
            {
                await charges.SendAsync(order.AccountId, order.Value, ct: ct);
            }
        }, name: "charge_orders", options: new AgentOptions
        {
            MaxRetries = 5,
            RetryBackoff = TimeSpan.FromSeconds(1),
            OnFailedEvent = FailedEventAction.StopWorker,                   // never skip an order: stop, let an operator look
        });
        #endregion
    }

    internal static void Sinks(FaustBuilder faust, Topic<string, string> sentences, Topic<string, string> words, Agent<string, string> countWords,
        ILogger logger)
    {
        #region sinks
        async IAsyncEnumerable<string> SplitSentences(Stream<string, string> stream, [EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var sentence in stream.WithCancellation(ct))
            {
                foreach (var word in sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    yield return word;
                }
            }
        }

        faust.Agent(sentences, SplitSentences, name: "split_sentences")
             .AddSink(words)                                                 // a topic: the result is the value, without a key
             .AddSink(countWords)                                            // another agent: sent into its source
             .AddSink(word => logger.LogDebug("Word {Word}", word));         // a callback (sync or async, awaited)
        #endregion
    }

    internal static async Task SendAndAsk(Agent<string, string> countWords, Agent<string, string, long> lookup, ILogger logger)
    {
        #region send-and-ask
        await countWords.CastAsync("faust");                                // Faust's cast: fire and forget
        await countWords.SendAsync("faust", "faust", replyTo: "my-replies"); // Faust's send; a yielding agent replies to my-replies
        long n = await lookup.AskAsync("faust", key: "faust");              // Faust's ask: the first result yielded for it
        IReadOnlyList<long> all = await lookup.JoinAsync(["faust", "kafka"]); // Faust's join: replies in input order
        await foreach (var count in lookup.Map(["faust", "kafka"]))          // Faust's map: replies as they come (also KvMap, KvJoinAsync)
        {
            logger.LogInformation("{Count}", count);
        }
        #endregion
        logger.LogInformation("{Asked} {Joined}", n, all.Count);
    }

    internal static void Timers(FaustBuilder faust, Topic<string, int> report, Table<string, long> counts)
    {
        #region timers
        faust.Timer(TimeSpan.FromSeconds(30), async ct => await report.SendAsync("tick", counts.Count, ct: ct));
        faust.Crontab("30 18 * * *", SendDailyReportAsync, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"));
        faust.StartupTask(async ct => await WarmUpCachesAsync(ct));                   // once, after start-up and table recovery
        faust.Timer(TimeSpan.FromMinutes(1), CleanUpAsync, onLeader: true);  // only on the group's leader
        #endregion
    }

    private static Task SendDailyReportAsync(CancellationToken ct) => Task.CompletedTask;

    private static Task WarmUpCachesAsync(CancellationToken ct) => Task.CompletedTask;

    private static Task CleanUpAsync(CancellationToken ct) => Task.CompletedTask;
}

// The test the page shows, run as it is written.
public sealed class AgentTestContextSnippet
{
    #region testing-an-agent
    [Fact]
    public async Task Counts_the_words_of_a_sentence()
    {
        var app = new FaustApp(new FaustOptions { Id = "test" });
        var sentences = app.Topic<string, string>("sentences");
        var words = app.Topic<string, string>("words");
        var split = app.Agent(sentences, SplitSentences).AddSink(words);

        await using var test = await split.TestContextAsync();
        var e = await test.PutAsync("hello faust", key: "s1", headers: [new RecordHeader("trace", [1])]);

        Assert.Equal(["hello", "faust"], test.ResultsOf(e));                 // what it yielded for this event
        Assert.Equal(2, (await test.SentToAsync(words)).Count);               // what its topic sink received
    }
    #endregion

    private static async IAsyncEnumerable<string> SplitSentences(Stream<string, string> stream, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var sentence in stream.WithCancellation(ct))
        {
            foreach (var word in sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                yield return word;
            }
        }
    }
}
