using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Faust.Web.Health;

// Live while the worker exists, its poll thread runs and nothing fatal happened (a failed poll loop, recovery or
// changelog write): a worker that fails this receives no more events and should be restarted.
internal sealed class FaustLivenessCheck(FaustApp app) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = app.Engine switch
        {
            _ when app.Fault is { } crash => HealthCheckResult.Unhealthy($"An agent stopped the Faust worker: {crash.Message}", crash),
            null => HealthCheckResult.Unhealthy("The Faust worker is not running."),
            { Fault: { } fault } => HealthCheckResult.Unhealthy($"The Faust worker failed: {fault.Message}", fault),
            { IsPolling: false } => HealthCheckResult.Unhealthy("The Faust worker's poll thread has stopped."),
            _ when Stalled(app) is { Length: > 0 } stalled => HealthCheckResult.Degraded(
                $"The Faust worker is polling, but these partitions have not committed for longer than Faust:CommitLivelockSoftTimeout while events wait: {stalled}."),
            _ => HealthCheckResult.Healthy("The Faust worker is polling."),
        };
        return Task.FromResult(result);
    }

    private static string Stalled(FaustApp app)
    {
        var stalled = new List<string>();
        foreach (var topic in app.Monitor.Snapshot.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                if (partition.StalledSeconds is { } seconds)
                {
                    stalled.Add(string.Create(CultureInfo.InvariantCulture, $"{topic.Name}[{partition.Partition}] ({seconds:F0} s, {partition.Lag} waiting)"));
                }
            }
        }

        return string.Join(", ", stalled);
    }
}
