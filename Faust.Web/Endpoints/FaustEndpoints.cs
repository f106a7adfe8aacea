using Faust.Web.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Faust.Web.Endpoints;

/// <summary>Maps the Faust.NET HTTP endpoints.</summary>
public static class FaustEndpoints
{
    /// <summary>
    /// Maps Faust's endpoints: <c>GET /table/</c>, <c>/table/{name}/</c>, <c>/table/{name}/{key}/</c>, <c>/router/</c>,
    /// <c>/router/{table}/</c>, <c>/router/{table}/{key}/</c>, <c>/assignment/</c>, <c>POST /topics/{name}</c>,
    /// <c>/healthz</c>, <c>/readyz</c>, the OpenAPI document at <c>/swagger/v1/swagger.json</c> (UI at <c>/swagger</c>),
    /// and <c>/</c>, which redirects to <c>/swagger</c>.
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

        // The dashboard will live at / (a later issue); until then the API's own page.
        group.MapGet("/", (HttpRequest request) => TypedResults.Redirect($"{request.PathBase}/swagger")).ExcludeFromDescription();
        return group;
    }
}
