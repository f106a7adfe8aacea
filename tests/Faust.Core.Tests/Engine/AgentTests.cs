using Faust.App;
using Faust.Serialization;
using Faust.Streams;
using Faust.Tables;
using Faust.Transport;

namespace Faust.Core.Tests.Engine;

public sealed class AgentTests
{
    private static FaustApp NewApp(int buffer = 4096) => new(new FaustOptions
    {
        Id = "agents",
        Broker = "memory://",
        CommitInterval = TimeSpan.FromMilliseconds(50),
        StreamBufferMaxSize = buffer,
    });

    [Fact]
    public async Task Events_CarryKeyValueHeadersAndPosition()
    {
        await using var app = NewApp();
        var topic = app.Topic<string, string>("greetings", partitions: 2);
        var seen = new List<Event<string, string>>();
        app.Agent(topic, async (stream, ct) =>
        {
            await foreach (var e in stream.Events().WithCancellation(ct))
            {
                lock (seen)
                {
                    seen.Add(e);
                }
            }
        });
        await app.StartAsync();
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var sent = await topic.SendAsync("k", "hello", partition: 1, headers: [new RecordHeader("trace", [1, 2])], timestamp: at);
        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == 1; } }, "the event");
        var e = seen[0];
        Assert.Equal(("k", "hello", "greetings", 1, sent.Offset, at), (e.Key, e.Value, e.Topic, e.Partition, e.Offset, e.Timestamp));
        Assert.Equal("trace", Assert.Single(e.Headers).Key);
    }

    [Fact]
    public async Task CrashingAgent_IsRestarted_AndLaterEventsAreProcessed()
    {
        await using var app = NewApp();
        var topic = app.Topic<string, int>("numbers", partitions: 1);
        var processed = new List<int>();
        var agent = app.Agent(topic, async (stream, ct) =>
        {
            await foreach (var n in stream.WithCancellation(ct))
            {
                if (n < 0)
                {
                    throw new InvalidOperationException("negative");
                }

                lock (processed)
                {
                    processed.Add(n);
                }
            }
        }, options: new Faust.Agents.AgentOptions { MaxRetries = 0 });
        await app.StartAsync();
        foreach (var n in new[] { 1, -1, 2, 3 })
        {
            await topic.SendAsync("k", n);
        }

        await Eventually.TrueAsync(() => { lock (processed) { return processed.Count == 3; } }, "three events after the crash");
        Assert.Equal([1, 2, 3], processed);
        Assert.Equal(1, agent.Crashes);
        Assert.Equal(1, agent.DeadLettered);
        await Eventually.TrueAsync(async () =>
        {
            await app.CommitAsync();
            return app.Worker!.CommittedOffset(new TopicPartition("numbers", 0)) == 4;
        }, () => $"the commit to pass all four events, the dead-lettered one too (committed {app.Worker!.CommittedOffset(new TopicPartition("numbers", 0))})");
    }

    [Fact]
    public async Task UnacknowledgedEvent_HoldsTheCommit()
    {
        await using var app = NewApp();
        var topic = app.Topic<string, int>("slow", partitions: 1);
        var release = new TaskCompletionSource();
        var inSecond = new TaskCompletionSource();
        app.Agent(topic, async (stream, ct) =>
        {
            await foreach (var n in stream.WithCancellation(ct))
            {
                if (n == 2)
                {
                    inSecond.TrySetResult();
                    await release.Task.WaitAsync(ct);
                }
            }
        });
        await app.StartAsync();
        await topic.SendAsync("k", 1);
        await topic.SendAsync("k", 2);
        await topic.SendAsync("k", 3);
        await inSecond.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await app.CommitAsync();
        Assert.Equal(1, app.Worker!.CommittedOffset(new TopicPartition("slow", 0)));
        release.SetResult();
        await Eventually.TrueAsync(async () =>
        {
            await app.CommitAsync();
            return app.Worker.CommittedOffset(new TopicPartition("slow", 0)) == 3;
        }, "the commit to reach offset 3 once the held event is acknowledged");
    }

    [Fact]
    public async Task SlowAgent_PausesItsPartition_InsteadOfBuffering_AndDoesNotStarveAnotherAgent()
    {
        await using var app = NewApp(buffer: 100);
        var topic = app.Topic<string, int>("flood", partitions: 1);
        var other = app.Topic<string, int>("other", partitions: 1);
        var gate = new TaskCompletionSource();
        var processed = 0;
        var otherProcessed = 0;
        var agent = app.Agent(topic, async (stream, ct) =>
        {
            await foreach (var _ in stream.WithCancellation(ct))
            {
                await gate.Task.WaitAsync(ct);
                Interlocked.Increment(ref processed);
            }
        });
        app.Agent(other, async (stream, ct) =>
        {
            await foreach (var _ in stream.WithCancellation(ct))
            {
                Interlocked.Increment(ref otherProcessed);
            }
        });
        await app.StartAsync();
        var inbox = app.Worker!.InboxOf(agent);
        for (var i = 0; i < 20_000; i++)
        {
            await topic.SendAsync("k", i);
        }

        // While the slow agent is blocked, the other agent gets all of its events.
        for (var i = 0; i < 5_000; i++)
        {
            await other.SendAsync("k", i);
        }

        await Eventually.TrueAsync(() => Volatile.Read(ref otherProcessed) == 5_000, "the other agent to process its 5000 events while the slow one is blocked");
        var tracker = inbox.TrackerFor(0)!;
        // Delivered but unprocessed records stay near the buffer bound (one poll batch over it at most).
        Assert.InRange(tracker.Outstanding, 1, 100 + 2048);
        Assert.Equal(0, Volatile.Read(ref processed));
        gate.SetResult();
        await Eventually.TrueAsync(() => Volatile.Read(ref processed) == 20_000, "all 20000 events after resuming");
    }

    [Fact]
    public async Task ChannelAgent_ReceivesWhatIsSent()
    {
        await using var app = NewApp();
        var channel = app.Channel<string>();
        var got = new List<string>();
        app.Agent(channel, async (stream, ct) =>
        {
            await foreach (var s in stream.WithCancellation(ct))
            {
                lock (got)
                {
                    got.Add(s);
                }
            }
        });
        await app.StartAsync();
        await channel.SendAsync("a");
        await channel.SendAsync("b");
        await Eventually.TrueAsync(() => { lock (got) { return got.Count == 2; } }, "two channel events");
        Assert.Equal(["a", "b"], got);
    }

    [Fact]
    public async Task TableWrites_FromAChannelAgent_GoToTheKeysPartition()
    {
        await using var app = NewApp();
        var channel = app.Channel<string, int>();
        var table = app.Table<string, int>("latest");
        app.Agent(channel, async (stream, ct) =>
        {
            await foreach (var (k, v) in stream.Items().WithCancellation(ct))
            {
                table[k] = v;
            }
        });
        await app.StartAsync();
        await channel.SendAsync("user-42", 7);
        await Eventually.TrueAsync(() => table.ContainsKey("user-42"), "the table write");
        Assert.Equal(7, table["user-42"]);
        Assert.Throws<KeyNotFoundException>(() => table["nobody"]);
        Assert.True(table.Remove("user-42"));
        Assert.False(table.ContainsKey("user-42"));
    }

    [Fact]
    public async Task TwoStringKeyedTables_WithDifferentKeyCodecs_EachEncodeTheirOwnKeys()
    {
        // Table keeps the last string key it encoded (per thread): one table's bytes must never serve another's.
        await using var app = NewApp();
        var raw = app.Table<string, long>("raw", () => 0L);
        var json = app.Table<string, long>("json", () => 0L, keyCodec: Codecs.Json<string>());
        await app.StartAsync();
        await app.WhenReady;
        for (var i = 0; i < 3; i++)
        {
            raw["k"] += 1;
            json["k"] += 10;
            raw[new string('k', 1)] += 100;
        }

        Assert.Equal(303, raw["k"]);
        Assert.Equal(30, json["k"]);
        Assert.Equal("k"u8.ToArray(), raw.KeyCodec.Encode("k"));
        var keys = new List<byte[]>();
        foreach (var store in ((ITableView)json).Stores.All)
        {
            foreach (var (key, _) in store?.Items() ?? [])
            {
                keys.Add(key);
            }
        }

        Assert.Equal(["\"k\""u8.ToArray()], keys);
    }

    [Fact]
    public async Task Declaring_AfterStart_Throws()
    {
        await using var app = NewApp();
        app.Topic<string, int>("t");
        await app.StartAsync();
        Assert.Throws<InvalidOperationException>(() => app.Topic<string, int>("u"));
    }

    [Fact]
    public async Task MismatchedPartitionCounts_StopStartup_WithAClearMessage()
    {
        await using var app = NewApp();
        var topic = app.Topic<string, int>("four", partitions: 4);
        var table = app.Table<string, int>("eight");
        app.Agent(topic, async (stream, ct) => { await foreach (var _ in stream.WithCancellation(ct)) { } });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        Assert.Contains("'four' has 4", error.Message);
        Assert.Contains("'agents-eight-changelog' has 8", error.Message);
    }
}
