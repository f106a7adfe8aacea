using Faust.Tables;
using Faust.Web.Routing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Faust.Web.Endpoints;

// GET /table/, /table/{name}/ and /table/{name}/{key}/ (Faust's tables blueprint).
internal static class TableEndpoints
{
    public static void MapTables(this IEndpointRouteBuilder endpoints)
    {
        var tables = endpoints.MapGroup("/table").WithTags("Tables");
        tables.MapGet("/", List)
            .WithName("ListTables").WithSummary("Lists the app's tables.");
        tables.MapGet("/{name}/", Describe)
            .WithName("GetTable").WithSummary("Describes a table.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        tables.MapGet("/{name}/{key}/", LookupAsync)
            .WithName("GetTableValue")
            .WithSummary("Reads a table value by key.")
            .WithDescription("Percent-encode the key as one path segment: https://example.com/page/0 is https%3A%2F%2Fexample.com%2Fpage%2F0. A table with a default answers the default for a missing key. Any worker answers: a key held by another worker is forwarded to it (one hop), and the answer is the owner's. With Faust:Web:StandbyReadMaxLag set, a worker whose standby replica of the key's partition is within that lag answers from it when the owner is unknown or unreachable, with the headers Faust-Standby: true and Faust-Standby-Lag.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    internal static ITableView? Find(FaustApp app, string name)
    {
        foreach (var table in app.TableViews)
        {
            if (table.Name == name)
            {
                return table;
            }
        }

        return null;
    }

    private static Ok<TableInfo[]> List(FaustApp app) =>
        TypedResults.Ok(app.TableViews.Select(t => new TableInfo(t.Name, t.Help)).ToArray());

    private static Results<Ok<TableInfo>, ProblemHttpResult> Describe(string name, FaustApp app) =>
        Find(app, name) is { } table ? TypedResults.Ok(new TableInfo(table.Name, table.Help)) : Problems.UnknownTable(name);

    private static async Task<IResult> LookupAsync(string name, string key, HttpContext context, FaustApp app, TableDispatch dispatch)
    {
        if (Find(app, name) is not { } table)
        {
            return Problems.UnknownTable(name);
        }

        if (!RawPathKey.TryRead(context, key, out var keyText))
        {
            return Problems.BadKeyEncoding(name);
        }

        // Answered here only when this worker holds the key's partition and has recovered it; else forwarded one hop
        // to its owner; else, when the owner cannot answer, from this worker's standby within the configured lag,
        // labelled; else 503 (see TableRouter).
        var (elsewhere, hold) = await dispatch.RouteAsync(context, table, keyText, withBody: false, standbyReads: true).ConfigureAwait(false);
        if (elsewhere is not null)
        {
            return elsewhere;
        }

        var lookup = hold.StandbyLag is null ? table.Lookup(keyText) : table.LookupStandby(keyText, hold.Partition);
        if (!dispatch.StillHolds(hold))
        {
            // Closed by a rebalance between routing and reading: the read may have missed the store (a default).
            return dispatch.Moved(context, hold);
        }

        if (hold.StandbyLag is { } lag)
        {
            TableDispatch.MarkStandby(context, lag);
        }

        return lookup.Status switch
        {
            TableLookupStatus.Found or TableLookupStatus.Default => (IResult)TypedResults.Bytes(lookup.Json!, "application/json"),
            TableLookupStatus.NotFound => Problems.KeyNotFound(name, keyText),
            _ => Problems.BadKey(name, lookup.Error ?? $"Key '{keyText}' is not a valid key of table '{name}'."),
        };
    }
}
