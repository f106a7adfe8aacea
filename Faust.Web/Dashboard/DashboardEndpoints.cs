using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Faust.Tables;
using Faust.Web.Endpoints;
using Faust.Web.Hosting;
using Faust.Web.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Faust.Web.Dashboard;

// The dashboard: index.html at /, its static files (served by FaustStartupFilter), and the JSON API under /api that
// it reads: one view per section and one Server-Sent Events stream that pushes an update every second.
internal static class DashboardEndpoints
{
    public const string ServedByHeader = "Faust-Served-By";
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;

    public static void MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", Index).ExcludeFromDescription();

        var api = endpoints.MapGroup("/api").WithTags("Dashboard");
        api.MapGet("/overview", (DashboardModel model) => TypedResults.Ok(model.Overview()))
            .WithName("GetOverview").WithSummary("The worker at a glance: state, rates, totals, lag, errors and 5 minutes of history.");
        api.MapGet("/agents", (DashboardModel model) => TypedResults.Ok(model.Agents()))
            .WithName("GetAgents").WithSummary("One row per agent: source, events processed, rate, mean and p99 time, errors.");
        api.MapGet("/topics", (DashboardModel model) => TypedResults.Ok(model.Topics()))
            .WithName("GetTopics").WithSummary("Every topic's partitions: owner, committed and end offsets, lag.");
        api.MapGet("/tables", (DashboardModel model) => TypedResults.Ok(model.Tables()))
            .WithName("GetTableStats").WithSummary("Every table: changelog, local partitions, key count, operations, recovery.");
        api.MapGet("/tables/{name}", Table)
            .WithName("GetTableStat").WithSummary("One table, as in /api/tables.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/tables/{name}/lookup", Lookup)
            .WithName("LookupTableKey")
            .WithSummary("Looks a key up and says which worker served it.")
            .WithDescription("The key is the query parameter key, in its text form (raw for string keys, JSON otherwise).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/tables/{name}/keys", Keys)
            .WithName("BrowseTableKeys")
            .WithSummary("A page of the keys this worker holds (offset, limit up to 500, optional partition).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/cluster", (DashboardModel model) => TypedResults.Ok(model.Cluster()))
            .WithName("GetCluster").WithSummary("The workers of the app that this worker knows, with their partitions.");
        api.MapGet("/stream", Stream)
            .WithName("StreamUpdates").WithSummary("Server-Sent Events: an \"update\" event every second with the overview's numbers.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
    }

    private static IResult Index(DashboardFiles files, HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-cache";
        var index = files.Provider?.GetFileInfo(DashboardFiles.IndexFile);
        if (index is not { Exists: true })
        {
            return TypedResults.Content(
                "<!doctype html><title>Faust.NET</title><h1>Faust.NET</h1><p>The dashboard's files (wwwroot/index.html) were not found "
                + "beside the server. The statistics are still served: <a href=\"api/overview\">/api/overview</a>, "
                + "<a href=\"metrics\">/metrics</a>, <a href=\"swagger\">/swagger</a>.</p>",
                "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
        }

        return TypedResults.Stream(index.CreateReadStream(), "text/html; charset=utf-8");
    }

    private static Results<Ok<TableView>, ProblemHttpResult> Table(string name, FaustApp app, DashboardModel model) =>
        TableEndpoints.Find(app, name) is { } table ? TypedResults.Ok(model.Table(table)) : Problems.UnknownTable(name);

    private static Results<Ok<TableLookupView>, ProblemHttpResult> Lookup(
        string name, string? key, HttpContext context, FaustApp app, TableRouter router, TableDispatch dispatch, DashboardModel model,
        IOptions<FaustWebOptions> options)
    {
        if (TableEndpoints.Find(app, name) is not { } table)
        {
            return Problems.UnknownTable(name);
        }

        if (key is null)
        {
            return Problems.BadKey(name, "Give the key as the query parameter key, e.g. ?key=https%3A%2F%2Fexample.com%2F.");
        }

        if (!app.IsReady)
        {
            return Problems.Unavailable(context, options.Value.RetryAfter, "Tables are recovering; try again shortly.");
        }

        context.Response.Headers[ServedByHeader] = model.Self.Id;
        switch (router.Route(table, key))
        {
            case RouteResult.InvalidKey invalid:
                return Problems.BadKey(name, invalid.Reason);
            case RouteResult.Unavailable unavailable:
                return Problems.Unavailable(context, options.Value.RetryAfter, unavailable.Reason);
            case RouteResult.Remote remote:
                return Problems.Unavailable(context, options.Value.RetryAfter,
                    $"Partition {remote.Partition} of table '{name}' is held by {remote.OwnerUrl}; look the key up on that worker's dashboard.");
            case RouteResult.Local local:
                // The same hold as GET /table/{name}/{key}/: a rebalance that closes the partition between routing and
                // reading would otherwise show the table's default as this worker's answer.
                var hold = TableDispatch.Hold.On(table, local.Partition);
                var lookup = table.Lookup(key);
                if (!dispatch.StillHolds(hold))
                {
                    return dispatch.Moved(context, hold);
                }

                return lookup.Status switch
                {
                    TableLookupStatus.Found or TableLookupStatus.Default => TypedResults.Ok(model.Lookup(table, key, local.Partition, lookup)),
                    TableLookupStatus.NotFound => Problems.KeyNotFound(name, key),
                    _ => Problems.BadKey(name, lookup.Error ?? $"Key '{key}' is not a valid key of table '{name}'."),
                };
            default:
                throw new InvalidOperationException("Unknown route result.");
        }
    }

    private static Results<Ok<TableKeysView>, ProblemHttpResult> Keys(
        string name, int? partition, int? offset, int? limit, HttpContext context, FaustApp app, DashboardModel model)
    {
        if (TableEndpoints.Find(app, name) is not { } table)
        {
            return Problems.UnknownTable(name);
        }

        if (offset is < 0 || limit is < 1 or > MaxPageSize || partition is < 0)
        {
            return Problems.InvalidQuery($"Use offset >= 0, limit from 1 to {MaxPageSize} and partition >= 0.");
        }

        context.Response.Headers[ServedByHeader] = model.Self.Id;
        return TypedResults.Ok(model.Keys(table, partition, offset ?? 0, limit ?? DefaultPageSize));
    }

    private static ServerSentEventsResult<StreamUpdate> Stream(DashboardModel model, TimeProvider time, IHostApplicationLifetime lifetime, HttpContext context) =>
        TypedResults.ServerSentEvents(Updates(model, time, lifetime.ApplicationStopping, context.RequestAborted));

    // One update at once, then one a second until the client goes or the server stops (an open stream must not
    // hold up a graceful shutdown).
    private static async IAsyncEnumerable<SseItem<StreamUpdate>> Updates(
        DashboardModel model, TimeProvider time, CancellationToken stopping, [EnumeratorCancellation] CancellationToken aborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, aborted);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        yield return new SseItem<StreamUpdate>(model.Update(), "update");
        while (await Tick(timer, linked.Token).ConfigureAwait(false))
        {
            yield return new SseItem<StreamUpdate>(model.Update(), "update");
        }
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
