using Faust.Tables;
using Faust.Web.Hosting;
using Faust.Web.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Faust.Web.Endpoints;

// GET /router/, /router/{table}/ and /router/{table}/{key}/ (Faust's router blueprint): which worker URL holds which
// changelog partitions, across every worker of the cluster snapshot (DESIGN decision 4), and which one holds a key.
// This worker's own entry is what it holds now, so it is right before its own record has come back from the
// assignor topic; every other entry is what that worker published.
internal static class RouterEndpoints
{
    public static void MapRouter(this IEndpointRouteBuilder endpoints)
    {
        var router = endpoints.MapGroup("/router").WithTags("Router");
        router.MapGet("/", All)
            .WithName("GetRouter").WithSummary("The changelog partitions each worker of the cluster holds, by worker URL.");
        router.MapGet("/{table}/", OfTable)
            .WithName("GetTableRouter").WithSummary("The partitions of one table's changelog each worker holds.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        router.MapGet("/{table}/{key}/", OwnerOf)
            .WithName("GetKeyOwner")
            .WithSummary("The URL of the worker that holds a key.")
            .WithDescription("Percent-encode the key as one path segment, as for GET /table/{name}/{key}/. 503 while the key's partition has no known owner (a rebalance).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static Ok<SortedDictionary<string, SortedDictionary<string, IReadOnlyList<int>>>> All(FaustApp app, TableRouter router, CanonicalUrl url) =>
        TypedResults.Ok(Map(app, router, url.Value, app.TableViews));

    private static Results<Ok<SortedDictionary<string, SortedDictionary<string, IReadOnlyList<int>>>>, ProblemHttpResult> OfTable(
        string table, FaustApp app, TableRouter router, CanonicalUrl url)
    {
        if (TableEndpoints.Find(app, table) is not { } view)
        {
            return Problems.UnknownTable(table);
        }

        return TypedResults.Ok(Map(app, router, url.Value, [view]));
    }

    // {url: {changelog topic: [partitions]}}, Faust's shape, for every worker with a URL and this one.
    private static SortedDictionary<string, SortedDictionary<string, IReadOnlyList<int>>> Map(
        FaustApp app, TableRouter router, string selfUrl, IReadOnlyList<ITableView> tables)
    {
        var result = new SortedDictionary<string, SortedDictionary<string, IReadOnlyList<int>>>(StringComparer.Ordinal);
        var worker = app.Engine;
        if (worker is not null)
        {
            foreach (var assignment in worker.Cluster.Current.Workers.Values)
            {
                if (assignment.WorkerId == worker.WorkerId || assignment.Url is not { Length: > 0 } url)
                {
                    continue;
                }

                var partitions = new SortedDictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
                foreach (var table in tables)
                {
                    partitions[table.ChangelogTopic] = [.. assignment.Actives.Where(tp => tp.Topic == table.ChangelogTopic).Select(tp => tp.Partition).Order()];
                }

                result[url] = partitions;
            }
        }

        var own = new SortedDictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            own[table.ChangelogTopic] = router.LocalPartitions(table);
        }

        result[selfUrl] = own;
        return result;
    }

    private static Results<JsonHttpResult<string>, ProblemHttpResult> OwnerOf(
        string table, string key, HttpContext context, FaustApp app, TableRouter router, CanonicalUrl url, IOptions<FaustWebOptions> options)
    {
        if (TableEndpoints.Find(app, table) is not { } view)
        {
            return Problems.UnknownTable(table);
        }

        if (!RawPathKey.TryRead(context, key, out var keyText))
        {
            return Problems.BadKeyEncoding(table);
        }

        return router.Owner(view, keyText, url.Value) switch
        {
            RouteResult.Remote owner => TypedResults.Json(owner.OwnerUrl),
            RouteResult.InvalidKey invalid => Problems.BadKey(table, invalid.Reason),
            RouteResult.Unavailable unavailable => Problems.Unavailable(context, options.Value.RetryAfter, unavailable.Reason),
            _ => Problems.Unavailable(context, options.Value.RetryAfter, "The key's owner is not known."),
        };
    }
}
