using System.Net;
using System.Text.Json;

namespace Faust.Web.Tests;

// The sample's orders: a Faust record (Samples/Order.cs) with snake_case fields, validated as it is decoded.
public sealed class OrderTests : IDisposable
{
    private readonly FaustWebFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private static string Body(string account, string instrument, string amount, string value) =>
        $$$"""{"key": "{{{account}}}", "value": {"account_id": "{{{account}}}", "instrument_id": "{{{instrument}}}", "amount": {{{amount}}}, "value": {{{value}}}}}""";

    [Fact]
    public async Task TwoOrders_OfOneAccount_AddUpInOrderTotals_AsDecimals()
    {
        var client = await _factory.CreateReadyClientAsync();

        foreach (var body in new[] { Body("acc-1", "AAPL", "2", "300.5"), Body("acc-1", "MSFT", "\"1\"", "\"99.25\"") })
        {
            using var response = await client.PostJsonAsync("/topics/orders", body);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        // Decimal is a JSON string, as Python Faust writes Decimal; records end with Faust's envelope.
        await Eventually.UntilAsync(() => client.ReadTableAsync("order_totals", "acc-1"), body => body == "\"399.75\"",
            "GET /table/order_totals/acc-1/ to return \"399.75\"");
        const string secondJson = """{"account_id":"acc-1","instrument_id":"MSFT","amount":"1","value":"99.25","__faust":{"ns":"orders.Order"}}""";
        await Eventually.UntilAsync(() => client.ReadTableAsync("last_order", "acc-1"), body => body == secondJson,
            "GET /table/last_order/acc-1/ to return the second order");
    }

    [Fact]
    public async Task OrderAsPythonFaustSendsIt_WithTheEnvelope_IsAccepted()
    {
        var client = await _factory.CreateReadyClientAsync();
        const string python = """{"key": "acc-py", "value": {"account_id": "acc-py", "instrument_id": "AAPL", "amount": "3", "value": "450.75", "__faust": {"ns": "orders.Order"}}}""";

        using var response = await client.PostJsonAsync("/topics/orders", python);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Eventually.UntilAsync(() => client.ReadTableAsync("order_totals", "acc-py"), body => body == "\"450.75\"",
            "the Python-shaped order to be counted");
    }

    [Fact]
    public async Task InvalidOrder_Is400_NamingTheFieldsThatBreakTheRules()
    {
        var client = await _factory.CreateReadyClientAsync();

        using var response = await client.PostJsonAsync("/topics/orders", """{"key": "acc-1", "value": {"account_id": "", "instrument_id": "AAPL", "amount": 0, "value": 1}}""");

        var problem = await response.AssertProblemAsync(400, "invalid body");
        Assert.Equal("value", problem.GetProperty("field").GetString());
        var errors = problem.GetProperty("errors");
        Assert.Equal(["value.account_id", "value.amount"], errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Contains("'value'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrderWithAFieldOfTheWrongType_Is400_NamingThatField()
    {
        var client = await _factory.CreateReadyClientAsync();

        using var response = await client.PostJsonAsync("/topics/orders", Body("acc-1", "AAPL", "\"lots\"", "1"));

        var problem = await response.AssertProblemAsync(400, "invalid body");
        Assert.Equal("value", problem.GetProperty("field").GetString());
        var error = Assert.Single(problem.GetProperty("errors").EnumerateObject());
        Assert.Equal("value.amount", error.Name);
        Assert.Contains("'lots' is not a decimal number", error.Value[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrderWithCamelCaseFields_IsMissingItsSnakeCaseOnes_Is400()
    {
        var client = await _factory.CreateReadyClientAsync();

        using var response = await client.PostJsonAsync("/topics/orders",
            """{"key": "acc-1", "value": {"accountId": "acc-1", "instrumentId": "AAPL", "amount": 1, "value": 1}}""");

        var problem = await response.AssertProblemAsync(400, "invalid body");
        Assert.True(problem.GetProperty("errors").TryGetProperty("value.account_id", out _), problem.ToString());
    }

    [Fact]
    public async Task AccountWithoutOrders_TotalsZero_AndHasNoLastOrder()
    {
        var client = await _factory.CreateReadyClientAsync();

        Assert.Equal("\"0\"", await client.ReadTableAsync("order_totals", "nobody"));
        using var response = await client.GetAsync("/table/last_order/nobody/");
        var problem = await response.AssertProblemAsync(404, "key not found");
        Assert.Equal("last_order", problem.GetProperty("table").GetString());
        Assert.Equal("nobody", problem.GetProperty("key").GetString());
    }
}
