using System.Text.Json;
using Faust.Tables;
using Faust.Web.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Faust.Web.Tests.Docs.Snippets;

// The C# block of docs/http-api.md: routed endpoints, mapped on the app Program.cs builds.
internal static class HttpApiSnippets
{
    internal static void TableRoutes(WebApplication app, Table<string, long> counts)
    {
        #region table-routes
        app.MapTableRoute(counts, "/count/{url}", keyFrom: "url",
            (HttpContext http) => Results.Ok(new { url = http.GetTableKey(), count = counts[http.GetTableKey()!] }), methods: ["GET"]);
        app.MapTableRoute(counts, "/count/{url}", keyFrom: "url",
            (HttpContext http, JsonElement note) => Results.Ok(new { url = http.GetTableKey(), note }), methods: ["POST"]);
        #endregion
    }
}
