using Faust.Tables;
using Faust.Web.Hosting;
using Faust.Web.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

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
        tables.MapGet("/{name}/{key}/", Lookup)
            .WithName("GetTableValue")
            .WithSummary("Reads a table value by key.")
            .WithDescription("Percent-encode the key as one path segment: https://example.com/page/0 is https%3A%2F%2Fexample.com%2Fpage%2F0. A table with a default answers the default for a missing key.")
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

    private static Results<FileContentHttpResult, ProblemHttpResult> Lookup(
        string name, string key, HttpContext context, FaustApp app, TableRouter router, IOptions<FaustWebOptions> options)
    {
        if (Find(app, name) is not { } table)
        {
            return Problems.UnknownTable(name);
        }

        if (!RawPathKey.TryRead(context, key, out var keyText))
        {
            return Problems.BadKeyEncoding(name);
        }

        if (!app.IsReady)
        {
            return Problems.Unavailable(context, options.Value.RetryAfter, "Tables are recovering; try again shortly.");
        }

        switch (router.Route(table, keyText))
        {
            case RouteResult.InvalidKey invalid:
                return Problems.BadKey(name, invalid.Reason);
            case RouteResult.Unavailable unavailable:
                return Problems.Unavailable(context, options.Value.RetryAfter, unavailable.Reason);
            case RouteResult.Remote remote:
                // Forwarding is not built yet (DESIGN decision 5); until it is, say where the key lives.
                return Problems.Unavailable(context, options.Value.RetryAfter, $"Partition {remote.Partition} of table '{name}' is held by {remote.OwnerUrl}.");
        }

        var lookup = table.Lookup(keyText);
        return lookup.Status switch
        {
            TableLookupStatus.Found or TableLookupStatus.Default => TypedResults.Bytes(lookup.Json!, "application/json"),
            TableLookupStatus.NotFound => Problems.KeyNotFound(name, keyText),
            _ => Problems.BadKey(name, lookup.Error ?? $"Key '{keyText}' is not a valid key of table '{name}'."),
        };
    }
}
