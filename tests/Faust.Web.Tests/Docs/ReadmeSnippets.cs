using Microsoft.AspNetCore.Builder;
using Faust.Web.Endpoints;
using Faust.Web.Hosting;

namespace Faust.Web.Tests.Docs;

// The README's C# as compiled code: DocsSnippetTests checks that every C# block of the README stands here, so a
// README example that stops compiling fails the build.
internal static class ReadmeSnippets
{
    public static void FirstApp(string[] args)
    {
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
        app.MapFaust();                                                   // /table, /router, /topics, /assignment, dashboard, /api, /metrics, health, swagger
        app.Run();
    }

    // The nouns of "Concepts on one screen", as the README writes them inline.
    public static void Concepts(FaustBuilder faust)
    {
        var clicks = faust.Topic<string, int>("clicks");
        var lines = faust.Channel<string>();
        var counts = faust.Table<string, long>("click_counts", () => 0L);
        var totals = faust.GlobalTable<string, long>("totals", () => 0L);
        var visitors = faust.SetTable<string, string>("visitors");
        faust.Agent(clicks, async (stream, ct) =>
        {
            await foreach (var (url, n) in stream.Items().WithCancellation(ct))
            {
                counts[url] += n;
            }
        });
        faust.Timer(TimeSpan.FromMinutes(1), _ => Task.CompletedTask);
        faust.Crontab("30 18 * * *", _ => Task.CompletedTask);
        faust.StartupTask(_ => Task.CompletedTask);
        _ = (lines, totals, visitors);
    }
}
