using Faust.Web.Endpoints;
using Faust.Web.Hosting;
using Faust.Web.Samples;

var builder = WebApplication.CreateBuilder(args);
var faust = builder.AddFaust();

// The page-view counter from Faust's introduction: key = URL, value = views.
var clicks = faust.Topic<string, int>("clicks");
var counts = faust.Table<string, long>("click_counts", () => 0L, help: "Page views per URL");

faust.Agent(clicks, async (stream, ct) =>
{
    await foreach (var (url, n) in stream.Items().WithCancellation(ct))
    {
        counts[url] += n;
    }
}, name: "count_click");

// Orders keyed by account: a running total per account, and the last order each placed.
var orders = faust.Topic<string, Order>("orders");
var orderTotals = faust.Table<string, double>("order_totals", () => 0d, help: "Total order value per account");
var lastOrder = faust.Table<string, Order>("last_order", help: "The last order of each account");

faust.Agent(orders, async (stream, ct) =>
{
    await foreach (var order in stream.WithCancellation(ct))
    {
        orderTotals[order.AccountId] += order.Value;
        lastOrder[order.AccountId] = order;
    }
}, name: "process_order");

var app = builder.Build();
app.MapFaust();
app.Run();
