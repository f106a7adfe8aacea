using System.Net;
using Faust.Web.Samples;

namespace Faust.Web.Tests;

public sealed class OrderTests : IDisposable
{
    private readonly FaustWebFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task TwoOrders_OfOneAccount_AddUpInOrderTotals()
    {
        var client = await _factory.CreateReadyClientAsync();
        var first = new Order("acc-1", "AAPL", 2, 300.5);
        var second = new Order("acc-1", "MSFT", 1, 99.25);

        foreach (var order in new[] { first, second })
        {
            using var response = await client.ProduceAsync("orders", order.AccountId, order);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await Eventually.UntilAsync(() => client.ReadTableAsync("order_totals", "acc-1"), body => body == "399.75",
            "GET /table/order_totals/acc-1/ to return 399.75");
        const string secondJson = """{"accountId":"acc-1","instrumentId":"MSFT","amount":1,"value":99.25}""";
        await Eventually.UntilAsync(() => client.ReadTableAsync("last_order", "acc-1"), body => body == secondJson,
            "GET /table/last_order/acc-1/ to return the second order");
    }

    [Fact]
    public async Task AccountWithoutOrders_TotalsZero_AndHasNoLastOrder()
    {
        var client = await _factory.CreateReadyClientAsync();

        Assert.Equal("0", await client.ReadTableAsync("order_totals", "nobody"));
        using var response = await client.GetAsync("/table/last_order/nobody/");
        var problem = await response.AssertProblemAsync(404, "key not found");
        Assert.Equal("last_order", problem.GetProperty("table").GetString());
        Assert.Equal("nobody", problem.GetProperty("key").GetString());
    }
}
