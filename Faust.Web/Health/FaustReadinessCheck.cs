using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Faust.Web.Health;

// Ready once every assigned table partition has recovered from its changelog and agents receive events: before
// that, table reads would answer from partial state.
internal sealed class FaustReadinessCheck(FaustApp app) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(app.IsReady
            ? HealthCheckResult.Healthy("Every assigned table partition has recovered.")
            : HealthCheckResult.Unhealthy("Tables are recovering."));
}
