using Faust.App;
using Faust.Routing;
using Faust.Streams;
using Faust.Tables;
using Faust.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Faust.Core.Tests.Streams;

public sealed class StreamOperatorTests
{
    private static FaustApp NewApp(string id, TimeProvider? time = null) => new(new FaustOptions
    {
        Id = id,
        Broker = "memory://",
        CommitInterval = TimeSpan.FromMinutes(10), // tests commit explicitly
    }, timeProvider: time);

    private static async Task<long?> CommitAndReadAsync(FaustApp app, string topic, int partition = 0)
    {
        await app.CommitAsync();
        return app.Worker!.CommittedOffset(new TopicPartition(topic, partition));
    }

    [Fact]
    public async Task Filter_AcknowledgesRejectedEvents_SoTheCommitMovesPastThem()
    {
        await using var app = NewApp("filter");
        var numbers = app.Topic<string, int>("numbers", partitions: 1);
        var odd = new List<int>();
        app.Agent(numbers, async (stream, ct) =>
        {
            await foreach (var n in stream.Filter(n => n % 2 == 1).WithCancellation(ct))
            {
                lock (odd)
                {
                    odd.Add(n);
                }
            }
        });
        await app.StartAsync();
        foreach (var n in new[] { 1, 2, 3, 4, 6, 8 })
        {
            await numbers.SendAsync("k", n);
        }

        // The last accepted event (3, offset 2) is acknowledged when the loop moves on; the rejected 4, 6 and 8 at once.
        await Eventually.TrueAsync(async () => await CommitAndReadAsync(app, "numbers") == 6, "the commit to pass the filtered-out events");
        Assert.Equal([1, 3], odd);
    }

    [Fact]
    public async Task Filter_OnKeyAndValue()
    {
        await using var app = NewApp("filter-kv");
        var numbers = app.Topic<string, int>("numbers", partitions: 1);
        var kept = new List<(string, int)>();
        app.Agent(numbers, async (stream, ct) =>
        {
            await foreach (var item in stream.Filter((k, v) => k == "keep" && v > 0).Items().WithCancellation(ct))
            {
                lock (kept)
                {
                    kept.Add(item);
                }
            }
        });
        await app.StartAsync();
        await numbers.SendAsync("keep", 1);
        await numbers.SendAsync("drop", 2);
        await numbers.SendAsync("keep", -3);
        await numbers.SendAsync("keep", 4);
        await Eventually.TrueAsync(() => { lock (kept) { return kept.Count == 2; } }, "two kept events");
        Assert.Equal([("keep", 1), ("keep", 4)], kept);
    }

    [Fact]
    public async Task Chunk_HandsOutFullBatches_ThenWhatArrivedWithin_AndAcksAfterTheBatchIsProcessed()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var app = NewApp("chunk", time);
        var numbers = app.Topic<string, int>("numbers", partitions: 1);
        var batches = new List<IReadOnlyList<int>>();
        var firstBatchHeld = new TaskCompletionSource();
        var releaseFirst = new TaskCompletionSource();
        app.Agent(numbers, async (stream, ct) =>
        {
            await foreach (var batch in stream.Chunk(3, TimeSpan.FromHours(1)).WithCancellation(ct))
            {
                lock (batches)
                {
                    batches.Add(batch);
                }

                if (batches.Count == 1)
                {
                    firstBatchHeld.TrySetResult();
                    await releaseFirst.Task.WaitAsync(ct);
                }
            }
        });
        await app.StartAsync();
        for (var i = 0; i < 7; i++)
        {
            await numbers.SendAsync("k", i);
        }

        await firstBatchHeld.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, await CommitAndReadAsync(app, "numbers")); // the batch being processed is not acknowledged
        releaseFirst.SetResult();

        // [3, 4, 5] is full at once; [6] waits for an hour of (fake) time.
        await Eventually.TrueAsync(() => { lock (batches) { return batches.Count == 2; } }, "the second, full batch");
        // Once processed, the second batch is acknowledged as the loop asks for the next one; 6 is still waiting.
        await Eventually.TrueAsync(async () => await CommitAndReadAsync(app, "numbers") == 6, "the commit to cover two batches");
        await Eventually.TrueAsync(() =>
        {
            time.Advance(TimeSpan.FromMinutes(10));
            lock (batches)
            {
                return batches.Count == 3;
            }
        }, "the last batch, after the hour");
        Assert.Equal([[0, 1, 2], [3, 4, 5], [6]], batches.Select(b => b.ToArray()).ToArray());
        await Eventually.TrueAsync(async () => await CommitAndReadAsync(app, "numbers") == 7, "the commit to cover the last batch");
    }

    [Fact]
    public async Task ChunkEvents_CarryTheirPositions()
    {
        await using var app = NewApp("chunk-events");
        var numbers = app.Topic<string, int>("numbers", partitions: 1);
        var batches = new List<IReadOnlyList<Event<string, int>>>();
        app.Agent(numbers, async (stream, ct) =>
        {
            await foreach (var batch in stream.ChunkEvents(2, TimeSpan.FromMinutes(5)).WithCancellation(ct))
            {
                lock (batches)
                {
                    batches.Add(batch);
                }
            }
        });
        await app.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            await numbers.SendAsync($"k{i}", i);
        }

        await Eventually.TrueAsync(() => { lock (batches) { return batches.Count == 2; } }, "two batches");
        Assert.Equal([0L, 1L, 2L, 3L], batches.SelectMany(b => b).Select(e => e.Offset));
        Assert.Equal(["k0", "k1", "k2", "k3"], batches.SelectMany(b => b).Select(e => e.Key));
    }

    [Fact]
    public async Task Enumerate_NumbersTheValues_FromStart()
    {
        await using var app = NewApp("enumerate");
        var words = app.Topic<string, string>("words", partitions: 1);
        var numbered = new List<(long, string)>();
        app.Agent(words, async (stream, ct) =>
        {
            await foreach (var item in stream.Enumerate(start: 1).WithCancellation(ct))
            {
                lock (numbered)
                {
                    numbered.Add(item);
                }
            }
        });
        await app.StartAsync();
        foreach (var w in new[] { "a", "b", "c" })
        {
            await words.SendAsync("k", w);
        }

        await Eventually.TrueAsync(() => { lock (numbered) { return numbered.Count == 3; } }, "three numbered values");
        Assert.Equal([(1L, "a"), (2L, "b"), (3L, "c")], numbered);
        Assert.Equal(3, await CommitAndReadAsync(app, "words"));
    }

    [Fact]
    public async Task NoAck_HoldsTheCommit_UntilTheAgentAcknowledges()
    {
        await using var app = NewApp("noack");
        var numbers = app.Topic<string, int>("numbers", partitions: 1);
        var held = new List<Event<string, int>>();
        Stream<string, int>? manual = null;
        app.Agent(numbers, async (stream, ct) =>
        {
            manual = stream.NoAck();
            await foreach (var e in manual.Events().WithCancellation(ct))
            {
                lock (held)
                {
                    held.Add(e);
                }
            }
        });
        await app.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await numbers.SendAsync("k", i);
        }

        await Eventually.TrueAsync(() => { lock (held) { return held.Count == 3; } }, "three events handed out");
        Assert.Equal(0, await CommitAndReadAsync(app, "numbers"));
        manual!.Ack(held[1]);
        Assert.Equal(0, await CommitAndReadAsync(app, "numbers")); // offset 0 is still a hole
        manual.Ack(held[0]);
        Assert.Equal(2, await CommitAndReadAsync(app, "numbers"));
        manual.Ack(held[2]);
        manual.Ack(held[2]); // twice: ignored
        Assert.Equal(3, await CommitAndReadAsync(app, "numbers"));
    }

    [Fact]
    public async Task Echo_SendsEveryEventToTheTopics_AndTheStreamGoesOn()
    {
        await using var app = NewApp("echo");
        var input = app.Topic<string, int>("input", partitions: 2);
        var copy = app.Topic<string, int>("copy", partitions: 2);
        var seen = new List<int>();
        app.Agent(input, async (stream, ct) =>
        {
            await foreach (var n in stream.Echo(copy).WithCancellation(ct))
            {
                lock (seen)
                {
                    seen.Add(n);
                }
            }
        });
        await app.StartAsync();
        await input.SendAsync("user-42", 1, headers: [new RecordHeader("trace", [7])]);
        await input.SendAsync("a", 2);
        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == 2; } }, "two events");
        var copies = await TopicContents.ReadAsync(app, "copy");
        Assert.Equal(2, copies.Count);
        var first = copies.Single(c => c.Record.Value![0] == (byte)'1');
        Assert.Equal(Partitioner.Default.PartitionFor("user-42"u8, 2), first.Partition);
        Assert.Equal("trace", Assert.Single(first.Record.Headers!).Key);
    }

    [Fact]
    public async Task Merge_ReadsEverySource_AndCommitsEach()
    {
        await using var app = NewApp("merge");
        var web = app.Topic<string, string>("web-clicks", partitions: 1);
        var mobile = app.Topic<string, string>("mobile-clicks", partitions: 1);
        var channel = app.Channel<string, string>();
        var seen = new List<(string Topic, string Value)>();
        app.Agent(web.Merge(mobile, channel), async (stream, ct) =>
        {
            await foreach (var e in stream.Events().WithCancellation(ct))
            {
                lock (seen)
                {
                    seen.Add((e.Topic, e.Value));
                }
            }
        }, name: "all_clicks");
        await app.StartAsync();
        await web.SendAsync("u", "w1");
        await mobile.SendAsync("u", "m1");
        await channel.SendAsync("u", "c1");
        await web.SendAsync("u", "w2");
        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == 4; } }, "events of all three sources");
        Assert.Equal(["w1", "w2"], seen.Where(s => s.Topic == "web-clicks").Select(s => s.Value));
        Assert.Equal(["m1"], seen.Where(s => s.Topic == "mobile-clicks").Select(s => s.Value));
        Assert.Equal(["c1"], seen.Where(s => s.Topic == channel.Name).Select(s => s.Value));
        await Eventually.TrueAsync(async () => await CommitAndReadAsync(app, "web-clicks") == 2 && await CommitAndReadAsync(app, "mobile-clicks") == 1,
            "both topics committed");
    }

    [Fact]
    public async Task Through_ForwardsToTheTopic_AndTheAgentReadsIt()
    {
        await using var app = NewApp("through");
        var raw = app.Topic<string, int>("raw", partitions: 2);
        var checkedTopic = app.Topic<string, int>("checked", partitions: 2);
        var seen = new List<Event<string, int>>();
        app.Agent(raw.Through(checkedTopic), async (stream, ct) =>
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
        await raw.SendAsync("user-42", 5, partition: 0);
        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == 1; } }, "the forwarded event");
        var e = seen[0];
        Assert.Equal(("checked", "user-42", 5), (e.Topic, e.Key, e.Value));
        Assert.Equal(Partitioner.Default.PartitionFor("user-42"u8, 2), e.Partition); // forwarded by key
        await Eventually.TrueAsync(async () => await CommitAndReadAsync(app, "raw", 0) == 1 && await CommitAndReadAsync(app, "checked", e.Partition) == 1,
            "the source and the through topic committed");
    }

    public sealed record Order(string Account, double Amount);

    [Fact]
    public async Task RepartitionBy_WritesTheTableOnThePartitionThatOwnsTheNewKey()
    {
        await using var app = NewApp("shop");
        var orders = app.Topic<string, Order>("orders"); // keyed by order id, 8 partitions
        var totals = app.Table<string, double>("totals", () => 0d);
        var seen = new List<Event<string, Order>>();
        app.Agent(orders.RepartitionBy(o => o.Account, "account"), async (stream, ct) =>
        {
            await foreach (var e in stream.Events().WithCancellation(ct))
            {
                totals[e.Key] += e.Value.Amount;
                lock (seen)
                {
                    seen.Add(e);
                }
            }
        }, name: "sum_orders");
        await app.StartAsync();
        await app.WhenReady;

        var ids = Enumerable.Range(0, 20).Select(i => $"order-{i}").ToArray();
        var sourcePartitions = new HashSet<int>();
        foreach (var id in ids)
        {
            sourcePartitions.Add((await orders.SendAsync(id, new Order("user-42", 1.5))).Partition);
        }

        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == ids.Length; } }, "every order, repartitioned");
        const string topic = "shop-sum_orders-orders-account-repartition";
        var owner = Partitioner.Default.PartitionFor("user-42"u8, 8);
        Assert.Equal(4, owner); // DESIGN decision 2
        Assert.True(sourcePartitions.Count > 1, "the orders were spread over several source partitions");
        Assert.All(seen, e => Assert.Equal((topic, "user-42", owner), (e.Topic, e.Key, e.Partition)));

        // The table was written on the new key's partition: in that partition's store and changelog.
        Assert.Equal(30d, totals["user-42"]);
        var store = ((ITableView)totals).StoreOf(owner)!;
        Assert.True(store.TryGet("user-42"u8.ToArray(), out _));
        var changelog = await TopicContents.ReadAsync(app, "shop-totals-changelog");
        Assert.NotEmpty(changelog);
        Assert.All(changelog, c => Assert.Equal(owner, c.Partition));
        Assert.Equal("30", System.Text.Encoding.UTF8.GetString(changelog[^1].Record.Value!)); // writes are buffered per key per commit

        // Both the source and the repartition topic are committed past every event.
        await Eventually.TrueAsync(async () =>
        {
            await app.CommitAsync();
            var worker = app.Worker!;
            return worker.CommittedOffset(new TopicPartition(topic, owner)) == 20
                && sourcePartitions.All(p => worker.CommittedOffset(new TopicPartition("orders", p)) is > 0);
        }, "commits on the source and the repartition topic");
    }

    [Fact]
    public async Task RepartitionBy_UnderExactlyOnce_CountsEveryEventOnce()
    {
        await using var app = new FaustApp(new FaustOptions
        {
            Id = "shop-eos",
            Broker = "memory://",
            ProcessingGuarantee = "exactly_once",
            CommitInterval = TimeSpan.FromMilliseconds(50),
        });
        var orders = app.Topic<string, Order>("orders", partitions: 4);
        var totals = app.Table<string, double>("totals", () => 0d, partitions: 4);
        var processed = 0;
        app.Agent(orders.RepartitionBy(o => o.Account, "account"), async (stream, ct) =>
        {
            await foreach (var o in stream.WithCancellation(ct))
            {
                totals[o.Account] += o.Amount;
                Interlocked.Increment(ref processed);
            }
        }, name: "sum_orders");
        await app.StartAsync();
        await app.WhenReady;
        for (var i = 0; i < 200; i++)
        {
            await orders.SendAsync($"order-{i}", new Order($"user-{i % 7}", 1));
        }

        // Forwarded records become visible when the forwarder's transaction commits, then they are counted.
        await Eventually.TrueAsync(() => Volatile.Read(ref processed) == 200, "every order counted");
        for (var u = 0; u < 7; u++)
        {
            Assert.Equal(Enumerable.Range(0, 200).Count(i => i % 7 == u), totals[$"user-{u}"]);
        }
    }

    [Fact]
    public async Task RepartitionBy_IsDeclaredWithTheSourcesPartitions_AndChecksCopartitioning()
    {
        await using var app = NewApp("copart");
        var orders = app.Topic<string, Order>("orders", partitions: 4);
        var totals = app.Table<string, double>("totals", () => 0d, partitions: 4);
        app.Agent(orders.RepartitionBy(o => o.Account, "account"), async (stream, ct) =>
        {
            await foreach (var o in stream.WithCancellation(ct))
            {
                totals[o.Account] += o.Amount;
            }
        }, name: "sum");
        await app.StartAsync();
        Assert.Equal(4, app.Worker!.PartitionCount("copart-sum-orders-account-repartition"));
    }

    [Fact]
    public async Task PerPartitionOrder_IsKept()
    {
        await using var app = NewApp("order");
        var numbers = app.Topic<string, int>("numbers", partitions: 4);
        var seen = new List<Event<string, int>>();
        app.Agent(numbers, async (stream, ct) =>
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
        for (var i = 0; i < 400; i++)
        {
            await numbers.SendAsync($"k{i % 10}", i);
        }

        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == 400; } }, "every event");
        foreach (var partition in seen.GroupBy(e => e.Partition))
        {
            Assert.Equal(partition.Select(e => e.Value).Order(), partition.Select(e => e.Value));
        }
    }
}
