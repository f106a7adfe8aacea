using System.Runtime.CompilerServices;
using System.Text;
using Faust.Agents;
using Faust.App;
using Faust.Runtime;
using Faust.Streams;
using Faust.Testing;
using Faust.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Faust.Core.Tests.Agents;

public sealed class AgentFeatureTests
{
    private static FaustApp NewApp(string id, TimeProvider? time = null, int buffer = 4096) => new(new FaustOptions
    {
        Id = id,
        Broker = "memory://",
        CommitInterval = TimeSpan.FromMinutes(10),
        StreamBufferMaxSize = buffer,
    }, timeProvider: time);

    [Fact]
    public async Task Concurrency_DealsEventsToTheActorsRoundRobin()
    {
        await using var app = NewApp("rr");
        var numbers = app.Topic<string, int>("numbers", partitions: 1);
        var actors = 0;
        var seen = new List<(int Actor, int Value)>();
        app.Agent(numbers, async (stream, ct) =>
        {
            var me = Interlocked.Increment(ref actors);
            await foreach (var n in stream.WithCancellation(ct))
            {
                lock (seen)
                {
                    seen.Add((me, n));
                }
            }
        }, options: new AgentOptions { Concurrency = 3 });
        await app.StartAsync();
        for (var i = 0; i < 30; i++)
        {
            await numbers.SendAsync("k", i);
        }

        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == 30; } }, "every event");
        Assert.Equal(3, actors);
        var byActor = seen.GroupBy(s => s.Actor).ToArray();
        Assert.Equal(3, byActor.Length);
        foreach (var actor in byActor)
        {
            Assert.Equal(10, actor.Count());
            Assert.Single(actor.Select(s => s.Value % 3).Distinct()); // event k goes to actor k mod 3
        }

        // Each actor acknowledges its last event when it moves past it, after it recorded it.
        await Eventually.TrueAsync(async () =>
        {
            await app.CommitAsync();
            return app.Worker!.CommittedOffset(new TopicPartition("numbers", 0)) == 30;
        }, () => $"the commit to cover the 30 events of the three actors (committed {app.Worker!.CommittedOffset(new TopicPartition("numbers", 0))})");
    }

    [Fact]
    public async Task Concurrency_RefusesTableWrites_WithAClearError()
    {
        var app = NewApp("rr-table");
        var numbers = app.Topic<string, int>("numbers", partitions: 1);
        var table = app.Table<string, int>("latest");
        var agent = app.Agent(numbers, async (stream, ct) =>
        {
            await foreach (var (k, v) in stream.Items().WithCancellation(ct))
            {
                table[k] = v;
            }
        }, options: new AgentOptions { Concurrency = 2 });
        await using var test = await agent.TestContextAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => test.PutAsync(1, "k"));
        Assert.Contains("concurrency 2", error.Message);
        Assert.Contains("cannot write table 'latest'", error.Message);
    }

    [Fact]
    public async Task IsolatedPartitions_OneActorPerPartition_StoppedOnRevocation_AndStartedOnAssignment()
    {
        await using var app = NewApp("isolated");
        var numbers = app.Topic<string, int>("numbers", partitions: 3);
        var invocations = 0;
        var seen = new List<(int Actor, int Partition, int Value)>();
        var ended = new List<int>();
        app.Agent(numbers, async (stream, ct) =>
        {
            var me = Interlocked.Increment(ref invocations);
            try
            {
                await foreach (var e in stream.Events().WithCancellation(ct))
                {
                    lock (seen)
                    {
                        seen.Add((me, e.Partition, e.Value));
                    }
                }
            }
            finally
            {
                lock (ended)
                {
                    ended.Add(me);
                }
            }
        }, options: new AgentOptions { IsolatedPartitions = true });
        await app.StartAsync();
        for (var p = 0; p < 3; p++)
        {
            await numbers.SendAsync("k", p, partition: p);
        }

        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == 3; } }, "one event per partition");
        Assert.Equal(3, seen.Select(s => s.Actor).Distinct().Count());
        Assert.All(seen.GroupBy(s => s.Actor), g => Assert.Single(g.Select(s => s.Partition).Distinct()));
        var actorOf1 = seen.Single(s => s.Partition == 1).Actor;

        var worker = app.Worker!;
        var tp1 = new TopicPartition("numbers", 1);
        worker.OnRevoked([tp1]);
        await Eventually.TrueAsync(() => { lock (ended) { return ended.Contains(actorOf1); } }, "the actor of the revoked partition to stop");
        lock (ended)
        {
            Assert.Single(ended); // the others go on
        }

        await numbers.SendAsync("k", 10, partition: 0);
        await Eventually.TrueAsync(() => { lock (seen) { return seen.Any(s => s.Value == 10); } }, "partition 0 still processed");

        worker.OnAssigned([tp1]);
        await numbers.SendAsync("k", 11, partition: 1);
        await Eventually.TrueAsync(() => { lock (seen) { return seen.Any(s => s.Value == 11); } }, "partition 1 processed again");
        var newActor = seen.Single(s => s.Value == 11).Actor;
        Assert.NotEqual(actorOf1, newActor);
        Assert.Equal(4, Volatile.Read(ref invocations));
    }

    [Fact]
    public void IsolatedPartitions_NeedATopicAndConcurrencyOne()
    {
        var app = NewApp("isolated-bad");
        var channel = app.Channel<string, int>();
        var topic = app.Topic<string, int>("t");
        var onChannel = Assert.Throws<ArgumentException>(() => app.Agent(channel, (s, ct) => Task.CompletedTask, options: new AgentOptions { IsolatedPartitions = true }));
        Assert.Contains("single topic source", onChannel.Message);
        var concurrent = Assert.Throws<ArgumentException>(() => app.Agent(topic, (s, ct) => Task.CompletedTask,
            options: new AgentOptions { IsolatedPartitions = true, Concurrency = 2 }));
        Assert.Contains("Concurrency 1", concurrent.Message);
    }

    private static async IAsyncEnumerable<int> Lengths(Stream<string, string> words, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var word in words.WithCancellation(ct))
        {
            if (word.Length > 0)
            {
                yield return word.Length;
            }
        }
    }

    [Fact]
    public async Task YieldingAgent_FeedsItsSinks_TopicsAgentsAndCallbacks()
    {
        await using var app = NewApp("sinks");
        var words = app.Topic<string, string>("words", partitions: 2);
        var lengthTopic = app.Topic<string, int>("lengths", partitions: 2);
        var lengthChannel = app.Channel<string, int>();
        var fromAgent = new List<int>();
        var fromCallback = new List<int>();
        var fromAsyncCallback = new List<int>();
        var collector = app.Agent(lengthChannel, async (stream, ct) =>
        {
            await foreach (var n in stream.WithCancellation(ct))
            {
                lock (fromAgent)
                {
                    fromAgent.Add(n);
                }
            }
        }, name: "collect");
        app.Agent(words, Lengths, name: "lengths")
            .AddSink(lengthTopic)
            .AddSink(collector)
            .AddSink(n => { lock (fromCallback) { fromCallback.Add(n); } })
            .AddSink(async n => { await Task.Yield(); lock (fromAsyncCallback) { fromAsyncCallback.Add(n); } });
        await app.StartAsync();
        await words.SendAsync("a", "faust", partition: 0);
        await words.SendAsync("b", "", partition: 0); // yields nothing
        await words.SendAsync("c", "streams", partition: 0);
        await Eventually.TrueAsync(() => { lock (fromAgent) { return fromAgent.Count == 2; } }, "the agent sink");
        Assert.Equal([5, 7], fromCallback);
        Assert.Equal([5, 7], fromAsyncCallback);
        Assert.Equal([5, 7], fromAgent);
        var inTopic = await TopicContents.ReadAsync(app, "lengths");
        Assert.Equal(["5", "7"], inTopic.Select(r => Encoding.UTF8.GetString(r.Record.Value!)).Order());
        Assert.All(inTopic, r => Assert.Null(r.Record.Key));
    }

    private static async IAsyncEnumerable<int> Doubles(Stream<string, int> numbers, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var n in numbers.WithCancellation(ct))
        {
            if (n >= 0)
            {
                yield return n * 2;
            }
        }
    }

    [Fact]
    public async Task AskAsync_RoundTrip_OverTheReplyTopic_WithFaustsHeaders()
    {
        await using var app = NewApp("ask");
        var numbers = app.Topic<string, int>("numbers", partitions: 4);
        var headers = new List<IReadOnlyList<RecordHeader>>();
        var spy = app.Agent(numbers, async (stream, ct) =>
        {
            await foreach (var e in stream.Events().WithCancellation(ct))
            {
                lock (headers)
                {
                    headers.Add(e.Headers);
                }
            }
        }, name: "spy");
        var doubler = app.Agent(numbers.Through(app.Topic<string, int>("to-double", partitions: 4)), Doubles, name: "doubler");
        await app.StartAsync();

        Assert.Equal(42, await doubler.AskAsync(21, key: "k"));

        var request = Assert.Single(headers);
        var replyTo = Encoding.UTF8.GetString(request.Single(h => h.Key == "Faust-Ag-ReplyTo").Value);
        Assert.StartsWith("f-reply-", replyTo);
        Assert.True(Guid.TryParse(Encoding.UTF8.GetString(request.Single(h => h.Key == "Faust-Ag-CorrelationId").Value), out _));

        var reply = Assert.Single(await TopicContents.ReadAsync(app, replyTo));
        using var json = System.Text.Json.JsonDocument.Parse(reply.Record.Value!);
        Assert.Equal(42, json.RootElement.GetProperty("value").GetInt32());
        Assert.Equal("k", json.RootElement.GetProperty("key").GetString());
        Assert.Equal("@ReqRepResponse", json.RootElement.GetProperty("__faust").GetProperty("ns").GetString());
    }

    [Fact]
    public async Task JoinAsync_KeepsTheInputOrder_AndMapYieldsEveryReply()
    {
        await using var app = NewApp("join");
        var numbers = app.Topic<string, int>("numbers", partitions: 4);
        var doubler = app.Agent(numbers, Doubles, name: "doubler", options: new AgentOptions { IsolatedPartitions = true });
        await app.StartAsync();

        var values = Enumerable.Range(1, 20).ToArray();
        Assert.Equal(values.Select(v => v * 2), await doubler.JoinAsync(values));
        Assert.Equal(values.Select(v => v * 4), await doubler.KvJoinAsync(values.Select(v => new KeyValuePair<string, int>($"k{v}", v * 2))));

        var mapped = new List<int>();
        await foreach (var r in doubler.Map(values))
        {
            mapped.Add(r);
        }

        Assert.Equal(values.Select(v => v * 2).Order(), mapped.Order());
    }

    public sealed record Query(string Account, int Amount);

    private static async IAsyncEnumerable<string> Describe(Stream<string, Query> queries, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in queries.Events().WithCancellation(ct))
        {
            yield return $"{e.Key}@{e.Partition}";
        }
    }

    [Fact]
    public async Task AskAsync_ReachesARepartitionedAgent_OnTheNewKeysPartition()
    {
        await using var app = NewApp("ask-regroup");
        var queries = app.Topic<string, Query>("queries", partitions: 8);
        var agent = app.Agent(queries.RepartitionBy(q => q.Account, "account"), Describe, name: "describe");
        await app.StartAsync();
        Assert.Equal("user-42@4", await agent.AskAsync(new Query("user-42", 1)));
    }

    [Fact]
    public async Task AskAsync_TimesOut_WhenTheAgentDoesNotReply()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var app = NewApp("ask-timeout", time);
        var numbers = app.Topic<string, int>("numbers", partitions: 1);
        var doubler = app.Agent(numbers, Doubles, name: "doubler");
        await app.StartAsync();
        var ask = doubler.AskAsync(-1, timeout: TimeSpan.FromSeconds(30)); // negative numbers get no reply
        await Eventually.TrueAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(5));
            return ask.IsCompleted;
        }, "the ask to time out");
        var error = await Assert.ThrowsAsync<TimeoutException>(() => ask);
        Assert.Contains("Agent doubler did not reply", error.Message);
        Assert.Equal(8, await doubler.AskAsync(4)); // the agent still answers
    }

    [Fact]
    public async Task SendAsync_WithReplyTo_SendsTheResultThere_AndCastAsync_Sends()
    {
        await using var app = NewApp("send");
        var numbers = app.Topic<string, int>("numbers", partitions: 1);
        var replies = app.Topic<string, string>("my-replies", partitions: 1);
        var doubler = app.Agent(numbers, Doubles, name: "doubler");
        var results = new List<int>();
        doubler.AddSink(r => { lock (results) { results.Add(r); } });
        await app.StartAsync();
        await doubler.CastAsync(5);
        await doubler.SendAsync("k", 6, replyTo: "my-replies", correlationId: "req-1");
        await Eventually.TrueAsync(() => { lock (results) { return results.Count == 2; } }, "both results");
        var reply = Assert.Single(await TopicContents.ReadAsync(app, "my-replies"));
        using var json = System.Text.Json.JsonDocument.Parse(reply.Record.Value!);
        Assert.Equal(("req-1", 12), (json.RootElement.GetProperty("correlation_id").GetString(), json.RootElement.GetProperty("value").GetInt32()));
    }
}
