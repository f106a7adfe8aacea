using Faust.Tables;
using Faust.Topics;
using Faust.Web.Hosting;
using Microsoft.Extensions.Logging;

namespace Faust.Web.Tests.Docs.Snippets;

// The C# blocks of docs/tables.md, one region each; the global table's block is in GlobalTableSnippets.cs.
internal static class TablesSnippets
{
    internal static void WriteATable(FaustBuilder faust, Topic<string, int> clicks)
    {
        #region write-a-table
        var counts = faust.Table<string, long>("click_counts", () => 0L, help: "Page views per URL");

        faust.Agent(clicks, async (stream, ct) =>
        {
            await foreach (var (url, n) in stream.Items().WithCancellation(ct))
            {
                counts[url] += n;                            // read (the default when missing), then write: store + changelog
                if (url.EndsWith("/retired", StringComparison.Ordinal))
                {
                    counts.Remove(url);                      // a tombstone in the changelog
                }
            }
        }, name: "count_click");
        #endregion
    }

    internal static void ReadATable(Table<string, long> counts, ILogger logger)
    {
        #region read-a-table
        if (counts.TryGetValue("https://example.com/page/0", out var views))
        {
            logger.LogInformation("{Views} views", views);
        }

        foreach (var (url, n) in counts.Items())             // what this worker holds: its partitions only
        {
            logger.LogInformation("{Url}: {Views}", url, n);
        }
        #endregion
    }

    internal static void SetTable(FaustBuilder faust, Topic<string, string> views)
    {
        #region set-table
        var visitors = faust.SetTable<string, string>("visitors", help: "Users who viewed each page");

        faust.Agent(views, async (stream, ct) =>
        {
            await foreach (var (page, user) in stream.Items().WithCancellation(ct))
            {
                visitors.Add(page, user);
            }
        }, name: "record_visitors");
        #endregion
    }

    internal static void Callbacks(Table<string, long> counts, ILogger logger)
    {
        #region callbacks
        counts.Recovered += (_, e) => logger.LogInformation("Recovered {Records} records into {Partitions} partitions", e.Applied, e.Partitions.Count);
        counts.ChangelogEvent += (_, e) => logger.LogDebug("{Key} = {Value} (partition {Partition})", e.Key, e.Value, e.Partition);
        #endregion
    }
}
