using System.Runtime.CompilerServices;
using Faust.Agents;
using Faust.App;
using Faust.Routing;
using Faust.Runtime;
using Faust.Streams;
using Faust.Testing;
using Faust.Transport;

namespace Faust.Core.Tests.Testing;

public sealed class AgentTestContextTests
{
    private static FaustApp NewApp(string id) => new(new FaustOptions { Id = id, Broker = "embedded://never-used" });

    public sealed record Order(string Account, double Amount);

    [Fact]
    public async Task PutAsync_HandsTheEventToTheAgent_AndTablesCanBeRead()
    {
        var app = NewApp("harness");
        var orders = app.Topic<string, Order>("orders");
        var totals = app.Table<string, double>("totals", () => 0d);
        var seen = new List<Event<string, Order>>();
        var agent = app.Agent(orders, async (stream, ct) =>
        {
            await foreach (var e in stream.Events().WithCancellation(ct))
            {
                totals[e.Value.Account] += e.Value.Amount;
                seen.Add(e);
            }
        });

        await using var test = await agent.TestContextAsync();
        var at = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
        var put = await test.PutAsync(new Order("user-42", 10), key: "order-1", timestamp: at, headers: [new RecordHeader("trace", [1])]);
        await test.PutAsync(new Order("user-42", 5), key: "order-2", partition: 6);

        Assert.Equal(2, test.Processed);
        Assert.Equal(15d, totals["user-42"]);
        Assert.Equal(0d, totals["nobody"]);
        var first = seen[0];
        Assert.Equal(("order-1", "orders", Partitioner.Default.PartitionFor("order-1"u8, 8), 0L, at), (first.Key, first.Topic, first.Partition, first.Offset, first.Timestamp));
        Assert.Equal("trace", Assert.Single(first.Headers).Key);
        Assert.Equal(put, first);
        Assert.Equal(6, seen[1].Partition);
        Assert.False(app.Options.Broker.StartsWith("embedded", StringComparison.Ordinal), "the test context runs on its own in-memory broker");
    }

    [Fact]
    public async Task AnException_FailsThePut_AndTheAgentGoesOn()
    {
        var app = NewApp("harness-error");
        var numbers = app.Topic<string, int>("numbers");
        var processed = new List<int>();
        var agent = app.Agent(numbers, async (stream, ct) =>
        {
            await foreach (var n in stream.WithCancellation(ct))
            {
                processed.Add(100 / n);
            }
        });

        await using var test = await agent.TestContextAsync();
        await Assert.ThrowsAsync<DivideByZeroException>(() => test.PutAsync(0));
        await test.PutAsync(4);
        Assert.Equal([25], processed);
        Assert.Equal(1, agent.Crashes);
    }

    private static async IAsyncEnumerable<string> Words(Stream<string, string> sentences, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var sentence in sentences.WithCancellation(ct))
        {
            foreach (var word in sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                yield return word;
            }
        }
    }

    [Fact]
    public async Task YieldingAgent_ResultsPerEvent_AndWhatItsSinksReceived()
    {
        var app = NewApp("harness-yield");
        var sentences = app.Topic<string, string>("sentences");
        var words = app.Topic<string, string>("words");
        var called = new List<string>();
        var agent = app.Agent(sentences, Words, name: "split").AddSink(words).AddSink(w => called.Add(w));

        await using var test = await agent.TestContextAsync();
        var first = await test.PutAsync("hello faust", key: "s1");
        var second = await test.PutAsync("bye", key: "s2");

        Assert.Equal(["hello", "faust", "bye"], test.Results);
        Assert.Equal(["hello", "faust"], test.ResultsOf(first));
        Assert.Equal(["bye"], test.ResultsOf(second));
        Assert.Equal(["hello", "faust", "bye"], called);
        var sent = await test.SentToAsync(words);
        Assert.Equal(["bye", "faust", "hello"], sent.Select(e => e.Value).Order());
        Assert.All(sent, e => Assert.Null(e.Key));
    }

    // The README's example, as written there.
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

        static async IAsyncEnumerable<string> SplitSentences(Stream<string, string> stream, [EnumeratorCancellation] CancellationToken ct)
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

    [Fact]
    public async Task RepartitionedSource_GetsTheEventAsTheRepartitionTopicWouldDeliverIt()
    {
        var app = NewApp("harness-regroup");
        var orders = app.Topic<string, Order>("orders");
        var seen = new List<Event<string, Order>>();
        var agent = app.Agent(orders.RepartitionBy(o => o.Account, "account"), async (stream, ct) =>
        {
            await foreach (var e in stream.Events().WithCancellation(ct))
            {
                seen.Add(e);
            }
        }, name: "by_account");

        await using var test = await agent.TestContextAsync();
        await test.PutAsync(new Order("user-42", 1));
        var e = Assert.Single(seen);
        Assert.Equal(("user-42", "harness-regroup-by_account-orders-account-repartition", 4), (e.Key, e.Topic, e.Partition));
    }

    [Fact]
    public async Task Batches_CanBePutWithoutWaiting()
    {
        var app = NewApp("harness-chunk");
        var numbers = app.Topic<string, int>("numbers", partitions: 1);
        var sums = new List<int>();
        var agent = app.Agent(numbers, async (stream, ct) =>
        {
            await foreach (var batch in stream.Chunk(2, TimeSpan.FromMinutes(1)).WithCancellation(ct))
            {
                sums.Add(batch.Sum());
            }
        });

        await using var test = await agent.TestContextAsync();
        var a = await test.PutAsync(1, wait: false);
        var b = await test.PutAsync(2, wait: false);
        await test.ProcessedAsync(a);
        await test.ProcessedAsync(b);
        Assert.Equal([3], sums);
    }

    [Fact]
    public async Task AStartedApp_CannotBeTested()
    {
        await using var app = new FaustApp(new FaustOptions { Id = "started", Broker = "memory://" });
        var numbers = app.Topic<string, int>("numbers");
        var agent = app.Agent(numbers, (stream, ct) => Task.CompletedTask);
        await app.StartAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => agent.TestContextAsync());
        Assert.Contains("has not started", error.Message);
    }
}
