using Faust.Agents;
using Faust.App;
using Faust.Processing;
using Faust.Runtime;
using Faust.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Faust.Core.Tests.Agents;

public sealed class SupervisionTests
{
    private static FaustApp NewApp(string id, TimeProvider? time = null) => new(new FaustOptions
    {
        Id = id,
        Broker = "memory://",
        CommitInterval = TimeSpan.FromMinutes(10),
    }, timeProvider: time);

    private static async Task<long?> CommittedAsync(FaustApp app, string topic, int partition = 0)
    {
        await app.CommitAsync();
        return app.Worker!.CommittedOffset(new TopicPartition(topic, partition));
    }

    [Fact]
    public async Task FailingEvent_IsRetried_ThenDeadLettered_WithTheExceptionInHeaders()
    {
        await using var app = NewApp("dlq");
        var orders = app.Topic<string, string>("orders", partitions: 1);
        var processed = new List<string>();
        var attempts = 0;
        var agent = app.Agent(orders, async (stream, ct) =>
        {
            await foreach (var order in stream.WithCancellation(ct))
            {
                if (order == "poison")
                {
                    Interlocked.Increment(ref attempts);
                    throw new InvalidOperationException("cannot process poison");
                }

                lock (processed)
                {
                    processed.Add(order);
                }
            }
        }, name: "process", options: new AgentOptions { MaxRetries = 2, RetryBackoff = TimeSpan.FromMilliseconds(10) });
        await app.StartAsync();
        await orders.SendAsync("a", "ok1");
        await orders.SendAsync("b", "poison", headers: [new RecordHeader("trace", [1])]);
        await orders.SendAsync("c", "ok2");

        await Eventually.TrueAsync(() => { lock (processed) { return processed.Count == 2; } }, "the events around the poison");
        Assert.Equal(["ok1", "ok2"], processed);
        Assert.Equal(3, attempts); // the first try and two retries
        Assert.Equal((3L, 1L), (agent.Crashes, agent.DeadLettered));
        Assert.Equal("dlq-process-dlq", agent.DeadLetterTopicName);

        var letter = Assert.Single(await TopicContents.ReadAsync(app, "dlq-process-dlq")).Record;
        Assert.Equal("b", System.Text.Encoding.UTF8.GetString(letter.Key!));
        Assert.Equal("poison", System.Text.Encoding.UTF8.GetString(letter.Value!));
        Assert.Contains(letter.Headers!, h => h.Key == "trace");
        Assert.Equal(typeof(InvalidOperationException).FullName, TopicContents.Header(letter, DeadLetterHeaders.ExceptionType));
        Assert.Equal("cannot process poison", TopicContents.Header(letter, DeadLetterHeaders.ExceptionMessage));
        Assert.Equal(("agent", "process", "orders", "0", "1", "3"), (TopicContents.Header(letter, DeadLetterHeaders.Stage),
            TopicContents.Header(letter, DeadLetterHeaders.Agent), TopicContents.Header(letter, DeadLetterHeaders.Topic),
            TopicContents.Header(letter, DeadLetterHeaders.Partition), TopicContents.Header(letter, DeadLetterHeaders.Offset),
            TopicContents.Header(letter, DeadLetterHeaders.Attempts)));
        Assert.Equal(3, await CommittedAsync(app, "orders"));
    }

    [Fact]
    public async Task UnderExactlyOnce_TheDeadLetterCommitsWithTheOffset()
    {
        await using var app = new FaustApp(new FaustOptions
        {
            Id = "dlq-eos",
            Broker = "memory://",
            ProcessingGuarantee = "exactly_once",
            CommitInterval = TimeSpan.FromMinutes(10),
        });
        var orders = app.Topic<string, string>("orders", partitions: 1);
        var processed = 0;
        var agent = app.Agent(orders, async (stream, ct) =>
        {
            await foreach (var order in stream.WithCancellation(ct))
            {
                if (order == "poison")
                {
                    throw new InvalidOperationException("poison");
                }

                Interlocked.Increment(ref processed);
            }
        }, name: "process", options: new AgentOptions { MaxRetries = 1, RetryBackoff = TimeSpan.Zero });
        await app.StartAsync();
        await orders.SendAsync("a", "poison");
        await orders.SendAsync("b", "ok");
        await Eventually.TrueAsync(() => Volatile.Read(ref processed) == 1, "the event after the poison");
        Assert.Equal(1, agent.DeadLettered);
        using (var peek = app.Worker!.Transport.CreateConsumer(null))
        {
            // Part of the open transaction: invisible until the commit.
            Assert.Equal(0, peek.GetWatermarks(new TopicPartition("dlq-eos-process-dlq", 0)).High);
        }

        Assert.Equal(2, await CommittedAsync(app, "orders"));
        var letter = Assert.Single(await TopicContents.ReadAsync(app, "dlq-eos-process-dlq")).Record;
        Assert.Equal("poison", System.Text.Encoding.UTF8.GetString(letter.Value!));
    }

    [Fact]
    public async Task Retries_WaitAGrowingBackoff_OnTheAppsClock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var app = NewApp("backoff", time);
        var orders = app.Topic<string, string>("orders", partitions: 1);
        var attempts = 0;
        var done = new TaskCompletionSource();
        var agent = app.Agent(orders, async (stream, ct) =>
        {
            await foreach (var _ in stream.WithCancellation(ct))
            {
                if (Interlocked.Increment(ref attempts) < 3)
                {
                    throw new TimeoutException("flaky");
                }

                done.TrySetResult();
            }
        }, options: new AgentOptions { MaxRetries = 5, RetryBackoff = TimeSpan.FromSeconds(1) });
        await app.StartAsync();
        await orders.SendAsync("k", "flaky");
        await Eventually.TrueAsync(() => agent.Crashes == 1, "the first failure");
        await Task.Delay(100);
        Assert.Equal(1, Volatile.Read(ref attempts)); // no retry before the backoff has passed on the app's clock

        await Eventually.TrueAsync(() => { time.Advance(TimeSpan.FromMilliseconds(250)); return Volatile.Read(ref attempts) == 2; }, "the first retry");
        var firstRetryAt = time.GetUtcNow();
        await Eventually.TrueAsync(() => { time.Advance(TimeSpan.FromMilliseconds(250)); return done.Task.IsCompleted; }, "the second retry to succeed");
        Assert.True(time.GetUtcNow() - firstRetryAt >= TimeSpan.FromSeconds(2), "the second retry waited twice the first backoff");
        Assert.Equal((2L, 0L), (agent.Crashes, agent.DeadLettered));
        Assert.Equal(1, await CommittedAsync(app, "orders"));
    }

    [Fact]
    public async Task Skip_LogsAndAcknowledges_WithoutADeadLetterTopic()
    {
        await using var app = NewApp("skip");
        var orders = app.Topic<string, int>("orders", partitions: 1);
        var agent = app.Agent(orders, async (stream, ct) =>
        {
            await foreach (var n in stream.WithCancellation(ct))
            {
                _ = 10 / n;
            }
        }, options: new AgentOptions { MaxRetries = 0, OnFailedEvent = FailedEventAction.Skip });
        await app.StartAsync();
        await orders.SendAsync("k", 0);
        await orders.SendAsync("k", 1);
        await Eventually.TrueAsync(async () => await CommittedAsync(app, "orders") == 2, "the commit past the skipped event");
        Assert.Equal((1L, 1L, 0L), (agent.Crashes, agent.Skipped, agent.DeadLettered));
        Assert.Empty(await TopicContents.ReadAsync(app, agent.DeadLetterTopicName!)); // it exists for decode errors only
    }

    [Fact]
    public async Task FailingOperator_IsSupervisedLikeTheLoop()
    {
        await using var app = NewApp("operator");
        var orders = app.Topic<string, int>("orders", partitions: 1);
        var kept = new List<int>();
        var agent = app.Agent(orders, async (stream, ct) =>
        {
            await foreach (var n in stream.Filter(n => 10 / n > 1).WithCancellation(ct))
            {
                lock (kept)
                {
                    kept.Add(n);
                }
            }
        }, name: "divide", options: new AgentOptions { MaxRetries = 1, RetryBackoff = TimeSpan.Zero });
        await app.StartAsync();
        await orders.SendAsync("k", 2);
        await orders.SendAsync("k", 0);
        await orders.SendAsync("k", 3);
        await Eventually.TrueAsync(async () => await CommittedAsync(app, "orders") == 3, "the commit past the failing event");
        Assert.Equal([2, 3], kept);
        Assert.Equal((2L, 1L), (agent.Crashes, agent.DeadLettered));
        var letter = Assert.Single(await TopicContents.ReadAsync(app, "operator-divide-dlq")).Record;
        Assert.Equal(typeof(DivideByZeroException).FullName, TopicContents.Header(letter, DeadLetterHeaders.ExceptionType));
    }

    public sealed record Order(string? Account, int Amount);

    [Fact]
    public async Task FailingRepartitionKey_IsDeadLettered_AndTheForwarderGoesOn()
    {
        await using var app = NewApp("regroup");
        var orders = app.Topic<string, Order>("orders", partitions: 2);
        var seen = new List<string>();
        app.Agent(orders.RepartitionBy(o => o.Account ?? throw new ArgumentException("no account"), "account"), async (stream, ct) =>
        {
            await foreach (var (account, _) in stream.Items().WithCancellation(ct))
            {
                lock (seen)
                {
                    seen.Add(account);
                }
            }
        }, name: "by_account");
        await app.StartAsync();
        await orders.SendAsync("o1", new Order(null, 1), partition: 0);
        await orders.SendAsync("o2", new Order("user-42", 2), partition: 0);
        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == 1; } }, "the good order");
        var letter = Assert.Single(await TopicContents.ReadAsync(app, "regroup-by_account-dlq")).Record;
        Assert.Equal("no account", TopicContents.Header(letter, DeadLetterHeaders.ExceptionMessage));
        Assert.Equal("orders", TopicContents.Header(letter, DeadLetterHeaders.Topic));
        Assert.Equal(2, await CommittedAsync(app, "orders"));
    }

    [Fact]
    public async Task StopWorkerSupervisor_StopsTheApp_AndLeavesTheEventUncommitted()
    {
        await using var app = NewApp("crash");
        var orders = app.Topic<string, string>("orders", partitions: 1);
        app.Agent(orders, async (stream, ct) =>
        {
            await foreach (var order in stream.WithCancellation(ct))
            {
                if (order == "bad")
                {
                    throw new InvalidOperationException("bad order");
                }
            }
        }, name: "strict", options: new AgentOptions { Supervisor = SupervisorStrategy.StopWorker });
        await app.StartAsync();
        await orders.SendAsync("k", "good");
        await orders.SendAsync("k", "bad");
        await orders.SendAsync("k", "later");
        var reason = await app.WhenCrashed.WaitAsync(TimeSpan.FromSeconds(20));
        var crash = Assert.IsType<AgentCrashedException>(reason);
        Assert.Equal("strict", crash.Agent);
        Assert.Equal("bad order", crash.InnerException!.Message);
        Assert.Same(reason, app.Fault);
        await app.StopAsync();
        Assert.Equal(1, app.Worker!.CommittedOffset(new TopicPartition("orders", 0))); // "bad" is processed again after a restart
    }

    [Fact]
    public async Task StopWorkerOnFailedEvent_StopsAfterTheRetries()
    {
        await using var app = NewApp("crash-after");
        var orders = app.Topic<string, string>("orders", partitions: 1);
        var agent = app.Agent(orders, async (stream, ct) =>
        {
            await foreach (var _ in stream.WithCancellation(ct))
            {
                throw new InvalidOperationException("always");
            }
        }, options: new AgentOptions { MaxRetries = 2, RetryBackoff = TimeSpan.Zero, OnFailedEvent = FailedEventAction.StopWorker });
        await app.StartAsync();
        await orders.SendAsync("k", "x");
        await app.WhenCrashed.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(3, agent.Crashes);
        await app.StopAsync();
        Assert.Equal(0, app.Worker!.CommittedOffset(new TopicPartition("orders", 0)) ?? 0);
    }

    [Fact]
    public async Task RestartBudget_StopsTheWorker_WhenAnAgentKeepsCrashing()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch); // the clock stands still: every crash is in the window
        await using var app = NewApp("budget", time);
        var orders = app.Topic<string, string>("orders", partitions: 1);
        var agent = app.Agent(orders, async (stream, ct) =>
        {
            await foreach (var _ in stream.WithCancellation(ct))
            {
                throw new InvalidOperationException("always");
            }
        }, name: "flapping", options: new AgentOptions { MaxRetries = 100, RetryBackoff = TimeSpan.Zero, MaxRestarts = 3, RestartWindow = TimeSpan.FromMinutes(1) });
        await app.StartAsync();
        await orders.SendAsync("k", "x");
        var reason = await app.WhenCrashed.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("crashed more than 3 times within", reason.Message);
        Assert.Equal(4, agent.Crashes);
    }

    [Theory]
    [InlineData(SupervisorStrategy.OneForOne, 3)]
    [InlineData(SupervisorStrategy.OneForAll, 4)]
    public async Task Supervisor_RestartsTheCrashedActor_OrAllOfThem(SupervisorStrategy strategy, int expectedRuns)
    {
        await using var app = NewApp($"supervisor-{strategy}");
        var orders = app.Topic<string, string>("orders", partitions: 1);
        var runs = 0;
        var failed = 0;
        var processed = new List<string>();
        app.Agent(orders, async (stream, ct) =>
        {
            Interlocked.Increment(ref runs);
            await foreach (var order in stream.WithCancellation(ct))
            {
                if (order == "boom" && Interlocked.Exchange(ref failed, 1) == 0)
                {
                    throw new InvalidOperationException("once");
                }

                lock (processed)
                {
                    processed.Add(order);
                }
            }
        }, options: new AgentOptions { Concurrency = 2, Supervisor = strategy, RetryBackoff = TimeSpan.Zero });
        await app.StartAsync();
        await Eventually.TrueAsync(() => Volatile.Read(ref runs) == 2, "both actors");
        await orders.SendAsync("k", "boom");
        await orders.SendAsync("k", "next");
        await Eventually.TrueAsync(() => { lock (processed) { return processed.Count == 2; } }, "both events, the failed one retried");
        await Eventually.TrueAsync(() => Volatile.Read(ref runs) == expectedRuns, $"{expectedRuns} actor runs");
        Assert.Equal(["boom", "next"], processed.Order());
    }

    [Fact]
    public async Task Stopping_LeavesTheEventInFlightUnacknowledged()
    {
        await using var app = NewApp("shutdown");
        var orders = app.Topic<string, int>("orders", partitions: 1);
        var inSecond = new TaskCompletionSource();
        app.Agent(orders, async (stream, ct) =>
        {
            await foreach (var n in stream.WithCancellation(ct))
            {
                if (n == 2)
                {
                    inSecond.TrySetResult();
                    await Task.Delay(Timeout.Infinite, ct); // cut short by the stop
                }
            }
        });
        await app.StartAsync();
        await orders.SendAsync("k", 1);
        await orders.SendAsync("k", 2);
        await inSecond.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await app.StopAsync();
        Assert.Equal(1, app.Worker!.CommittedOffset(new TopicPartition("orders", 0)));
    }
}
