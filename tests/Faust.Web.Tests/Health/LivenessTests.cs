using Faust.App;
using Faust.Web.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace Faust.Web.Tests.Health;

// /healthz's check: unhealthy when the worker cannot work, degraded when it polls but a partition's commit has not
// moved for Faust:CommitLivelockSoftTimeout while events wait (Faust's commit livelock).
public sealed class LivenessTests
{
    [Fact]
    public async Task Liveness_IsDegraded_NamingThePartition_WhileAnAgentIsStuck_AndHealthyAfter()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        using var stuck = new SemaphoreSlim(0); // disposed after the app, which cancels the agent waiting on it
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var faust = new FaustApp(new FaustOptions { Id = "live", Broker = "memory://", TopicPartitions = 1, CommitLivelockSoftTimeout = TimeSpan.FromSeconds(30) }, timeProvider: time);
        var orders = faust.Topic<string, int>("orders");
        long processed = 0;
        faust.Agent(orders, async (stream, ct) =>
        {
            await foreach (var _ in stream.WithCancellation(ct))
            {
                entered.TrySetResult();
                await stuck.WaitAsync(ct);
                Interlocked.Increment(ref processed);
            }
        });
        await faust.StartAsync();
        await faust.WhenReady;
        var check = new FaustLivenessCheck(faust);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        await orders.SendAsync("o-1", 1);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() =>
        {
            faust.Monitor.SampleNow();
            return faust.Monitor.Snapshot.Topics.Single(t => t.Name == "orders").Partitions[0].Lag == 1;
        }, "the monitor to see the waiting event");
        time.Advance(TimeSpan.FromSeconds(31));
        faust.Monitor.SampleNow();
        var degraded = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("orders[0] (31 s, 1 waiting)", degraded.Description, StringComparison.Ordinal);

        stuck.Release();
        await Eventually.TrueAsync(() => Interlocked.Read(ref processed) == 1, "the stuck event to finish");

        // The event is acknowledged when the agent moves past it, after it counted it; the clock stands still, so no
        // interval commit comes: commit until the monitor sees the offset committed.
        long? Committed() => faust.Monitor.Snapshot.Topics.Single(t => t.Name == "orders").Partitions[0].CommittedOffset;
        await Eventually.TrueAsync(async () =>
        {
            await faust.CommitAsync();
            faust.Monitor.SampleNow();
            return Committed() == 1;
        }, () => $"a commit of orders[0] past the event (the monitor reports {Committed()?.ToString() ?? "none"})");
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
    }
}
