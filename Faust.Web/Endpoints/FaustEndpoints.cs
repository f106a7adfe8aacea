using Faust.Web.Dashboard;
using Faust.Web.Health;
using Faust.Web.Metrics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Faust.Web.Endpoints;

/// <summary>Maps the Faust.NET HTTP endpoints.</summary>
public static class FaustEndpoints
{
    /// <summary>
    /// Maps Faust's endpoints: <c>GET /table/</c>, <c>/table/{name}/</c>, <c>/table/{name}/{key}/</c>, <c>/router/</c>,
    /// <c>/router/{table}/</c>, <c>/router/{table}/{key}/</c>, <c>/assignment/</c>, <c>POST /topics/{name}</c>,
    /// <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> (Prometheus), the OpenAPI document at
    /// <c>/swagger/v1/swagger.json</c> (UI at <c>/swagger</c>), the dashboard's JSON API under <c>/api/</c>
    /// (<c>overview</c>, <c>agents</c>, <c>topics</c>, <c>tables</c>, <c>cluster</c>, and the Server-Sent Events stream
    /// <c>stream</c>), and the dashboard at <c>/</c>.
    /// </summary>
    /// <remarks>Errors are ProblemDetails (<c>application/problem+json</c>) that carry Faust's <c>error</c> field.</remarks>
    /// <param name="endpoints">The app, usually the <c>WebApplication</c>.</param>
    /// <returns>The group holding the endpoints, to add conventions such as authorization.</returns>
    /// <exception cref="InvalidOperationException"><c>builder.AddFaust()</c> was not called.</exception>
    public static RouteGroupBuilder MapFaust(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<FaustApp>() is null)
        {
            throw new InvalidOperationException(
                "MapFaust() needs the Faust.NET services: call builder.AddFaust() before builder.Build() (var faust = builder.AddFaust();).");
        }

        var group = endpoints.MapGroup("");
        group.MapTables();
        group.MapRouter();
        group.MapAssignment();
        group.MapTopics();
        group.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(FaustHealthTags.Live) });
        group.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(FaustHealthTags.Live) || check.Tags.Contains(FaustHealthTags.Ready),
        });
        group.MapSwagger();
        group.MapMetrics();
        group.MapDashboard();
        return group;
    }
}
