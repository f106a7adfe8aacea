using System.Text.Json;
using Faust.Serialization;
using Faust.Web.Endpoints;
using Faust.Web.Hosting;
using Faust.Web.Samples;

var builder = WebApplication.CreateBuilder(args);
var faust = builder.AddFaust();

// Records as Python declares them: snake_case fields. Set before declaring the topics and tables that use JSON.
faust.Codecs.Json = new FaustJsonOptions
{
    Serializer = new JsonSerializerOptions(JsonSerializerOptions.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower },
};

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

// Orders keyed by account: a running total per account, and the last order each placed. Order is a Faust record
// (Samples/Order.cs); with snake_case fields (set above) its JSON is what a Python Faust app writes for it.
var orders = faust.Topic<string, Order>("orders");
var orderTotals = faust.Table<string, decimal>("order_totals", () => 0m, help: "Total order value per account");
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
