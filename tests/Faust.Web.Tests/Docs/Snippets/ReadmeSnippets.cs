using Faust.Web.Endpoints;
using Faust.Web.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Faust.Web.Tests.Docs.Snippets;

// The C# block of README.md: Program.cs's click counter, as the body of a method that takes Program's args.
internal static class ReadmeSnippets
{
    internal static void FirstApp(string[] args)
    {
        #region first-app
        var builder = WebApplication.CreateBuilder(args);
        var faust = builder.AddFaust();                                   // binds the "Faust" configuration section

        var clicks = faust.Topic<string, int>("clicks");                  // key: URL, value: count
        var counts = faust.Table<string, long>("click_counts", () => 0L); // missing keys read as 0

        faust.Agent(clicks, async (stream, ct) =>
        {
            await foreach (var (url, n) in stream.Items().WithCancellation(ct))
            {
                counts[url] += n;                                         // store + changelog, on the event's partition
            }
        }, name: "count_click");

        var app = builder.Build();
        app.MapFaust();                                                   // /table, /router, /topics, /assignment, /healthz, /readyz, /metrics, dashboard, swagger
        app.Run();
        #endregion
    }
}
