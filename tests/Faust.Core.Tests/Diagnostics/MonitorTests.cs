using Faust.Agents;
using Faust.App;
using Faust.Core.Tests.Engine;
using Faust.Diagnostics;
using Faust.Runtime;
using Faust.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Faust.Core.Tests.Diagnostics;

// The monitor counts what the worker does: exactly, for events, table operations, records received and sent;
// and it derives lag, state and recovery progress from the worker. Samples are taken by hand (SampleNow(), which waits
// for a sample of the once-a-second timer under way instead of skipping), so nothing here waits for the timer.
//
// The monitor counts an event when the agent moves past it (StreamEnumerator.Finish, at its next MoveNextAsync), which
// is also when it is acknowledged: after the agent's body bumped a test's own counter. So a test that sees its counter
// waits for the monitor's count (CountedAsync) or for the commit (CommitUntilAsync) before asserting on either.
public sealed class MonitorTests
{
    [Fact]
    public async Task Counts_EventsTableOperationsAndRecords_PerAgentTableAndPartition()
    {
        // No interval commits: the changelog buffer is drained once, by the commit below.
        await using var app = new ClickCounterApp("memory://", commitInterval: TimeSpan.FromHours(1));
        await app.StartAsync();
        for (var i = 0; i < 100; i++)
        {
            await app.Clicks.SendAsync($"https://example.com/page/{i % 10}", 1);
        }

        await app.WaitProcessedAsync(100);
        var monitor = app.App.Monitor;
        await CountedAsync(monitor, "count_click", 100);
        await app.App.CommitAsync();
        monitor.SampleNow();
        var snapshot = monitor.Snapshot;

        var agent = Assert.Single(snapshot.Agents);
        Assert.Equal("count_click", agent.Name);
        Assert.Equal(100, agent.Processed);
        Assert.InRange(agent.TimedEvents, 1, 100);
        Assert.NotNull(agent.MeanMsTotal);
        var table = Assert.Single(snapshot.Tables);
        Assert.Equal(100, table.Sets);
        Assert.Equal(100, table.Gets);
        Assert.Equal(0, table.Deletes);
        var clicks = snapshot.Topics.Single(t => t.Name == "clicks");
        Assert.Equal(100, clicks.Partitions.Sum(p => p.Received));
        Assert.Equal(100, clicks.Partitions.Sum(p => p.Sent));
        Assert.Equal(8, clicks.Partitions.Count);
        // 100 writes of 10 keys between two commits: the changelog buffer sends one record per key.
        var changelog = snapshot.Topics.Single(t => t.Name == "clicks-app-click_counts-changelog");
        Assert.Equal(10, changelog.Partitions.Sum(p => p.Sent));
        Assert.Equal(changelog.Partitions.Select(p => p.EndOffset), changelog.Partitions.Select(p => (long?)p.Sent));
        Assert.Equal(100, snapshot.EventsTotal);
        Assert.Equal(100, snapshot.ReceivedTotal);
        Assert.Equal(110, snapshot.SentTotal);
        Assert.Equal(WorkerState.Running, snapshot.State);
        Assert.Equal(1, snapshot.Generation);
    }

    [Fact]
    public async Task ConcurrentActors_EachCountTheirOwnEvents_AndTheAgentAddsThemUp()
    {
        await using var faust = new FaustApp(new FaustOptions { Id = "many", Broker = "memory://" });
        var work = faust.Topic<string, int>("work");
        long seen = 0;
        faust.Agent(work, async (stream, ct) =>
        {
            await foreach (var _ in stream.WithCancellation(ct))
            {
                Interlocked.Increment(ref seen);
            }
        }, name: "pool", options: new AgentOptions { Concurrency = 3 });
        await faust.StartAsync();
        await faust.WhenReady;

        for (var i = 0; i < 300; i++)
        {
            await work.SendAsync($"k{i % 30}", 1);
        }

        await Eventually.TrueAsync(() => Interlocked.Read(ref seen) == 300, "the three actors to process 300 events");
        await CountedAsync(faust.Monitor, "pool", 300);

        var agent = Assert.Single(faust.Monitor.Snapshot.Agents);
        Assert.Equal("pool", agent.Name);
        Assert.Equal(3, agent.Actors);
        Assert.Equal(300, agent.Processed);
        Assert.InRange(agent.TimedEvents, 3, 300);
    }

    [Fact]
    public async Task TableCalls_OutsideAnyAgent_AreCountedToo()
    {
        await using var app = new ClickCounterApp("memory://", commitInterval: TimeSpan.FromHours(1));
        await app.StartAsync();

        app.Counts["https://example.com/a"] = 5;
        _ = app.Counts["https://example.com/a"];
        app.Counts.Remove("https://example.com/a");
        await app.App.CommitAsync();
        app.App.Monitor.SampleNow();

        var table = Assert.Single(app.App.Monitor.Snapshot.Tables);
        Assert.Equal((1, 1, 1), (table.Gets, table.Sets, table.Deletes));
        var changelog = app.App.Monitor.Snapshot.Topics.Single(t => t.Name == "clicks-app-click_counts-changelog");
        Assert.Equal(1, changelog.Partitions.Sum(p => p.Sent)); // the value folded into its tombstone
    }

    [Fact]
    public async Task AgentCrashes_AreCounted_WithTheLastError()
    {
        await using var faust = new FaustApp(new FaustOptions { Id = "crashy", Broker = "memory://", CommitInterval = TimeSpan.FromMilliseconds(100) });
        var numbers = faust.Topic<string, int>("numbers");
        long seen = 0;
        faust.Agent(numbers, async (stream, ct) =>
        {
            await foreach (var n in stream.WithCancellation(ct))
            {
                Interlocked.Increment(ref seen);
                if (n == 13)
                {
                    throw new InvalidOperationException("unlucky number");
                }
            }
        }, name: "picky", options: new Faust.Agents.AgentOptions { MaxRetries = 0 }); // one crash, then the event is dead-lettered
        await faust.StartAsync();
        await faust.WhenReady;

        await numbers.SendAsync("k", 13);
        await numbers.SendAsync("k", 14);
        await Eventually.TrueAsync(() => Interlocked.Read(ref seen) == 2, "the agent to restart and see the second event");
        faust.Monitor.SampleNow();

        var agent = Assert.Single(faust.Monitor.Snapshot.Agents);
        Assert.Equal(1, agent.Crashes);
        Assert.Equal(1, agent.Errors);
        Assert.Equal("crash", agent.LastError!.Kind);
        Assert.Equal(nameof(InvalidOperationException), agent.LastError.Type);
        Assert.Equal("unlucky number", agent.LastError.Message);
        Assert.Contains(faust.Monitor.Snapshot.RecentErrors, e => e.Source == "picky" && e.Message == "unlucky number");
        Assert.Equal(1, faust.Monitor.Snapshot.ErrorsTotal);
    }

    [Fact]
    public async Task UndecodableRecords_AreCountedAsSkipped_WithWhereTheyWere()
    {
        await using var faust = new FaustApp(new FaustOptions { Id = "skippy", Broker = "memory://" });
        var numbers = faust.Topic<string, int>("numbers", partitions: 1);
        long seen = 0;
        faust.Agent(numbers, async (stream, ct) =>
        {
            await foreach (var _ in stream.WithCancellation(ct))
            {
                Interlocked.Increment(ref seen);
            }
        }, name: "reader");
        await faust.StartAsync();
        await faust.WhenReady;

        var worker = faust.RequireWorker();
        await worker.ProduceAsync(new TopicPartition("numbers", 0), new TransportRecord("k"u8.ToArray(), "not a number"u8.ToArray(), null, 0), default);
        await numbers.SendAsync("k", 7);
        await Eventually.TrueAsync(() => Interlocked.Read(ref seen) == 1, "the agent to see the good record");
        await CountedAsync(faust.Monitor, "reader", 1);

        var agent = Assert.Single(faust.Monitor.Snapshot.Agents);
        Assert.Equal(1, agent.Skipped);
        Assert.Equal(1, agent.Processed);
        Assert.Equal("undecodable record", agent.LastError!.Kind);
        Assert.Equal("numbers[0]@0", agent.LastError.Where);
    }

    [Fact]
    public async Task Lag_IsTheEndOffsetMinusTheCommittedOffset_OfAssignedPartitions()
    {
        using var gate = new SemaphoreSlim(0);
        await using var faust = new FaustApp(new FaustOptions { Id = "laggy", Broker = "memory://", CommitInterval = TimeSpan.FromMilliseconds(50) });
        var work = faust.Topic<string, int>("work", partitions: 2);
        long done = 0;
        faust.Agent(work, async (stream, ct) =>
        {
            await foreach (var _ in stream.WithCancellation(ct))
            {
                await gate.WaitAsync(ct);
                Interlocked.Increment(ref done);
            }
        }, name: "slow");
        await faust.StartAsync();
        await faust.WhenReady;

        for (var i = 0; i < 5; i++)
        {
            await work.SendAsync("k", i, partition: 1);
        }

        faust.Monitor.SampleNow();
        var blocked = faust.Monitor.Snapshot;
        var partition = blocked.Topics.Single(t => t.Name == "work").Partitions[1];
        Assert.Equal(5, partition.EndOffset);
        Assert.Equal(5, partition.Lag);
        Assert.Equal(5, blocked.TotalLag);
        Assert.Equal(0, blocked.Topics.Single(t => t.Name == "work").Partitions[0].Lag);

        gate.Release(5);
        await Eventually.TrueAsync(() => Interlocked.Read(ref done) == 5, "the agent to finish the 5 events");
        await CommitUntilAsync(faust, "work", 1, 5);
        faust.Monitor.SampleNow();
        var caughtUp = faust.Monitor.Snapshot;
        Assert.Equal(5, caughtUp.Topics.Single(t => t.Name == "work").Partitions[1].CommittedOffset);
        Assert.Equal(0, caughtUp.TotalLag);
        Assert.True(caughtUp.Commits.Count >= 1);
    }

    [Fact]
    public async Task Recovery_IsReportedPerTablePartition_AfterARestartOnEmbedded()
    {
        using var dir = new TempDirectory();
        var broker = $"embedded://{dir.Path}/broker";
        await using (var first = new ClickCounterApp(broker, dataDirectory: dir.Path))
        {
            first.App.Options.ChangelogBufferSize = 0; // one changelog record per click
            await first.StartAsync();
            for (var i = 0; i < 40; i++)
            {
                await first.Clicks.SendAsync($"https://example.com/page/{i % 4}", 1);
            }

            await first.WaitProcessedAsync(40);
        }

        await using var second = new ClickCounterApp(broker, dataDirectory: dir.Path);
        await second.StartAsync();

        var recovered = second.App.RequireWorker().Recovery.Partitions.Where(p => p.Table == "click_counts").ToArray();
        Assert.Equal(8, recovered.Length);
        Assert.All(recovered, p => Assert.True(p.Done, $"partition {p.Partition} recovered"));
        Assert.Equal(40, recovered.Sum(p => p.Total));
        Assert.Equal(40, recovered.Sum(p => p.Applied));
        Assert.Equal(10, second.Counts["https://example.com/page/0"]);
    }

    [Fact]
    public async Task History_IsBounded_AndTheStateFollowsTheWorker()
    {
        var faust = new FaustApp(new FaustOptions { Id = "history", Broker = "memory://" });
        faust.Topic<string, int>("t");
        Assert.Equal(WorkerState.Starting, faust.Monitor.State);
        await faust.StartAsync();
        await faust.WhenReady;
        Assert.Equal(WorkerState.Running, faust.Monitor.State);

        for (var i = 0; i < FaustMonitor.HistorySeconds + 50; i++)
        {
            faust.Monitor.SampleNow();
        }

        Assert.Equal(FaustMonitor.HistorySeconds + 1, faust.Monitor.Snapshot.History.Count);
        await faust.DisposeAsync();
        Assert.Equal(WorkerState.Stopped, faust.Monitor.State);
        Assert.Equal(WorkerState.Stopped, faust.Monitor.Snapshot.State);
    }

    [Fact]
    public async Task APartitionWhoseCommitDoesNotMove_WhileEventsWait_IsStalled_AfterTheLivelockTimeout()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        using var logs = new ListLoggerFactory();
        var options = new FaustOptions { Id = "stall", Broker = "memory://", CommitLivelockSoftTimeout = TimeSpan.FromMinutes(5), TopicPartitions = 1 };
        using var stuck = new SemaphoreSlim(0); // disposed after the app, which cancels the agent waiting on it
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var faust = new FaustApp(options, logs, time);
        var work = faust.Topic<string, int>("work");
        long processed = 0;
        faust.Agent(work, async (stream, ct) =>
        {
            await foreach (var (_, n) in stream.Items().WithCancellation(ct))
            {
                if (n == 0)
                {
                    entered.TrySetResult();
                    await stuck.WaitAsync(ct); // an agent stuck in one event
                }

                Interlocked.Increment(ref processed);
            }
        });
        await faust.StartAsync();
        await faust.WhenReady;
        await work.SendAsync("a", 1);
        await Eventually.TrueAsync(() => Interlocked.Read(ref processed) == 1, "the first event");
        await CommitUntilAsync(faust, "work", 0, 1);
        await work.SendAsync("a", 0);
        await work.SendAsync("a", 1);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var monitor = faust.Monitor;
        PartitionSnapshot Partition() => monitor.Snapshot.Topics.Single(t => t.Name == "work").Partitions[0];

        await Eventually.TrueAsync(() =>
        {
            monitor.SampleNow(); // the clock stands still: the watch starts at the same instant whichever sample sees the lag
            return Partition().Lag == 2;
        }, "a lag of 2 (the stuck event and the one behind it)");
        time.Advance(TimeSpan.FromMinutes(4));
        monitor.SampleNow();
        Assert.Null(Partition().StalledSeconds);
        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        monitor.SampleNow();
        Assert.Equal(301, Partition().StalledSeconds);
        time.Advance(TimeSpan.FromSeconds(10));
        monitor.SampleNow();
        Assert.Equal(311, Partition().StalledSeconds);
        var warning = Assert.Single(logs.Messages, m => m.Contains("has not committed", StringComparison.Ordinal));
        Assert.Contains("work[0]", warning, StringComparison.Ordinal);
        Assert.Contains("2 events wait", warning, StringComparison.Ordinal);

        // Unstuck: the events are processed and committed, nothing waits, the stall is over.
        stuck.Release();
        await Eventually.TrueAsync(() => Interlocked.Read(ref processed) == 3, "the stuck event and the one after it");
        await CommitUntilAsync(faust, "work", 0, 3);
        monitor.SampleNow();
        Assert.Equal(0, Partition().Lag);
        Assert.Null(Partition().StalledSeconds);
    }

    // Samples until the monitor has counted the events an agent's body has seen (its actors added up).
    private static Task CountedAsync(FaustMonitor monitor, string agent, long events)
    {
        long Counted() => monitor.Snapshot.Agents.FirstOrDefault(a => a.Name == agent)?.Processed ?? 0;
        return Eventually.TrueAsync(() =>
        {
            monitor.SampleNow();
            return Counted() >= events;
        }, () => $"the monitor to count {events} events of agent '{agent}' (counted {Counted()})");
    }

    // Commits until the monitor reports the offset committed: the last event an agent's body has seen is acknowledged
    // only at its next MoveNextAsync, so a commit made as soon as a test sees it can miss it.
    private static Task CommitUntilAsync(FaustApp faust, string topic, int partition, long offset)
    {
        long? Committed() => faust.Monitor.Snapshot.Topics.FirstOrDefault(t => t.Name == topic)?.Partitions[partition].CommittedOffset;
        return Eventually.TrueAsync(async () =>
        {
            await faust.CommitAsync();
            faust.Monitor.SampleNow();
            return Committed() == offset;
        }, () => $"a commit of {topic}[{partition}] at offset {offset} (the monitor reports {Committed()?.ToString() ?? "none"})");
    }

    private sealed class ListLoggerFactory : ILoggerFactory
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new ListLogger(this);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class ListLogger(ListLoggerFactory owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner._messages)
                {
                    owner._messages.Add(formatter(state, exception));
                }
            }
        }
    }
}
