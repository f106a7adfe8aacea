using System.Net;

namespace Faust.Web.Tests;

public sealed class TableEndpointTests : IDisposable
{
    private readonly FaustWebFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task ListTables_GivesNameAndHelpOfEachTable()
    {
        var client = await _factory.CreateReadyClientAsync();

        var tables = await (await client.GetAsync("/table/")).JsonAsync();

        var byName = tables.EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("help").GetString());
        Assert.Equal("Page views per URL", byName["click_counts"]);
        Assert.Equal("Total order value per account", byName["order_totals"]);
        Assert.True(byName.ContainsKey("last_order"));
    }

    [Theory]
    [InlineData("/table/click_counts/")]
    [InlineData("/table/click_counts")]
    public async Task DescribeTable_GivesNameAndHelp(string path)
    {
        var client = await _factory.CreateReadyClientAsync();

        var table = await (await client.GetAsync(path)).JsonAsync();

        Assert.Equal("click_counts", table.GetProperty("name").GetString());
        Assert.Equal("Page views per URL", table.GetProperty("help").GetString());
    }

    [Theory]
    [InlineData("/table/nope/")]
    [InlineData("/table/nope/some-key/")]
    [InlineData("/router/nope/")]
    [InlineData("/router/nope/some-key/")]
    public async Task UnknownTable_Is404Problem_NamingTheTable(string path)
    {
        var client = await _factory.CreateReadyClientAsync();

        using var response = await client.GetAsync(path);

        var problem = await response.AssertProblemAsync(404, "unknown table");
        Assert.Equal("nope", problem.GetProperty("name").GetString());
    }

    [Fact]
    public async Task KeyNotOfTheTablesKeyType_Is400()
    {
        await using var app = await TestApp.StartAsync(faust => faust.Table<int, long>("by_number", () => 0L));

        using var response = await app.Client.GetAsync("/table/by_number/not-a-number/");

        await response.AssertProblemAsync(400, "invalid key");
        Assert.Equal("0", await app.Client.ReadTableAsync("by_number", "42"));
    }

    [Fact]
    public async Task WhileTheWorkerIsNotReady_TableReadsAre503WithRetryAfter()
    {
        await using var app = await TestApp.StartAsync(faust => faust.Table<string, long>("counts", () => 0L), startWorker: false);

        using var response = await app.Client.GetAsync("/table/counts/k/");

        await response.AssertProblemAsync(503, "Service unavailable. Try again later.");
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        using var ready = await app.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var live = await app.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, live.StatusCode);
    }
}
