using Faust.App;

namespace Faust.Web.Tests.Docs.Snippets;

// The C# block of docs/configuration.md: an app without a host, as a console job's Main would run it.
internal static class ConfigurationSnippets
{
    internal static async Task WithoutAHost()
    {
        #region without-a-host
        await using var app = new FaustApp(new FaustOptions { Id = "clicks-job", Broker = "memory://" });
        var clicks = app.Topic<string, int>("clicks");
        var counts = app.Table<string, long>("click_counts", () => 0L);
        app.Agent(clicks, async (stream, ct) =>
        {
            await foreach (var (url, n) in stream.Items().WithCancellation(ct))
            {
                counts[url] += n;
            }
        });

        await app.StartAsync();                                   // starts the worker and the agents
        await app.WhenReady;                                      // every assigned table partition recovered
        await clicks.SendAsync("https://example.com/page/0", 1);
        await app.StopAsync();                                    // each agent finishes its event, then offsets are committed
        #endregion
    }
}
