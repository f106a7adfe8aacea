using Faust.Topics;
using Faust.Web.Hosting;

namespace Faust.Web.Tests.Docs.Snippets;

// The global table block of docs/tables.md. Not compiled yet: FaustBuilder.GlobalTable, with FaustApp.GlobalTable's
// parameters, is not there yet. Once it is, delete the <Compile Remove> of this file in Faust.Web.Tests.csproj.
internal static class GlobalTableSnippets
{
    internal static void GlobalTable(FaustBuilder faust, Topic<string, decimal> priceUpdates)
    {
        #region global-table
        var prices = faust.GlobalTable<string, decimal>("prices", () => 0m, help: "Last price per instrument");

        faust.Agent(priceUpdates, async (stream, ct) =>
        {
            await foreach (var (instrument, price) in stream.Items().WithCancellation(ct))
            {
                prices[instrument] = price;                  // on the event's partition, by the worker that owns it
            }
        }, name: "update_prices");
        #endregion
    }
}
