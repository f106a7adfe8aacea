using Faust.Web.Hosting;
using Faust.Web.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Faust.Web.Endpoints;

// GET /router/, /router/{table}/ and /router/{table}/{key}/ (Faust's router blueprint): which worker URL holds
// which changelog partitions, and which one holds a key.
internal static class RouterEndpoints
{
    public static void MapRouter(this IEndpointRouteBuilder endpoints)
    {
        var router = endpoints.MapGroup("/router").WithTags("Router");
        router.MapGet("/", All)
            .WithName("GetRouter").WithSummary("The changelog partitions each worker holds, by worker URL.");
        router.MapGet("/{table}/", OfTable)
            .WithName("GetTableRouter").WithSummary("The partitions of one table's changelog each worker holds.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        router.MapGet("/{table}/{key}/", OwnerOf)
            .WithName("GetKeyOwner")
            .WithSummary("The URL of the worker that holds a key.")
            .WithDescription("Percent-encode the key as one path segment, as for GET /table/{name}/{key}/.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static Ok<Dictionary<string, Dictionary<string, IReadOnlyList<int>>>> All(FaustApp app, TableRouter router, CanonicalUrl url)
    {
        var partitions = new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
        foreach (var table in app.TableViews)
        {
            partitions[table.ChangelogTopic] = router.LocalPartitions(table);
        }

        return TypedResults.Ok(new Dictionary<string, Dictionary<string, IReadOnlyList<int>>> { [url.Value] = partitions });
    }

    private static Results<Ok<Dictionary<string, Dictionary<string, IReadOnlyList<int>>>>, ProblemHttpResult> OfTable(
        string table, FaustApp app, TableRouter router, CanonicalUrl url)
    {
        if (TableEndpoints.Find(app, table) is not { } view)
        {
            return Problems.UnknownTable(table);
        }

        var partitions = new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal) { [view.ChangelogTopic] = router.LocalPartitions(view) };
        return TypedResults.Ok(new Dictionary<string, Dictionary<string, IReadOnlyList<int>>> { [url.Value] = partitions });
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

        return router.Route(view, keyText) switch
        {
            RouteResult.Local => TypedResults.Json(url.Value),
            RouteResult.Remote remote => TypedResults.Json(remote.OwnerUrl),
            RouteResult.InvalidKey invalid => Problems.BadKey(table, invalid.Reason),
            RouteResult.Unavailable unavailable => Problems.Unavailable(context, options.Value.RetryAfter, unavailable.Reason),
            _ => throw new InvalidOperationException("Unknown route result."),
        };
    }
}
