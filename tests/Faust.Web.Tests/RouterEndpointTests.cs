using System.Net;
using Faust.Web.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Faust.Web.Tests;

public sealed class RouterEndpointTests : IDisposable
{
    private const string Worker = "http://worker-1:6066";
    private static readonly int[] AllPartitions = [0, 1, 2, 3, 4, 5, 6, 7];

    private readonly FaustWebFactory _factory = new(new Dictionary<string, string?> { ["Faust:CanonicalUrl"] = Worker + "/" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Router_MapsTheCanonicalUrl_ToEveryChangelogPartitionItHolds()
    {
        var client = await _factory.CreateReadyClientAsync();

        var router = await (await client.GetAsync("/router/")).JsonAsync();

        var worker = Assert.Single(router.EnumerateObject());
        Assert.Equal(Worker, worker.Name);
        foreach (var table in new[] { "click_counts", "order_totals", "last_order" })
        {
            var partitions = worker.Value.GetProperty(_factory.Changelog(table)).EnumerateArray().Select(p => p.GetInt32());
            Assert.Equal(AllPartitions, partitions);
        }
    }

    [Fact]
    public async Task RouterOfTable_HasOnlyThatTablesChangelog()
    {
        var client = await _factory.CreateReadyClientAsync();

        var router = await (await client.GetAsync("/router/click_counts/")).JsonAsync();

        var changelog = Assert.Single(router.GetProperty(Worker).EnumerateObject());
        Assert.Equal(_factory.Changelog("click_counts"), changelog.Name);
    }

    [Fact]
    public async Task RouterOfKey_IsTheOwnersUrl_AsAJsonString()
    {
        var client = await _factory.CreateReadyClientAsync();

        using var response = await client.GetAsync("/router/click_counts/https%3A%2F%2Fexample.com%2Fpage%2F0/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"\"{Worker}\"", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("https://example.com/page/0", 3)]
    [InlineData("https://example.com/page/1", 7)]
    [InlineData("ünïcødé", 6)]
    [InlineData("", 1)]
    public async Task TableRouter_RoutesAKey_ByTheMurmur2PartitionOfItsBytes(string key, int partition)
    {
        _ = await _factory.CreateReadyClientAsync();
        var app = _factory.Services.GetRequiredService<FaustApp>();
        var router = _factory.Services.GetRequiredService<TableRouter>();
        var table = app.TableViews.Single(t => t.Name == "click_counts");

        var route = router.Route(table, key);

        Assert.Equal(new RouteResult.Local(partition), route);
    }

    [Fact]
    public async Task Assignment_ListsSourceAndChangelogPartitionsAsActives()
    {
        var client = await _factory.CreateReadyClientAsync();

        var assignment = await (await client.GetAsync("/assignment/")).JsonAsync();

        var actives = assignment.GetProperty("actives");
        foreach (var topic in new[] { "clicks", "orders", _factory.Changelog("click_counts"), _factory.Changelog("order_totals"), _factory.Changelog("last_order") })
        {
            Assert.Equal(AllPartitions, actives.GetProperty(topic).EnumerateArray().Select(p => p.GetInt32()));
        }

        Assert.Empty(assignment.GetProperty("standbys").EnumerateObject());
    }
}
