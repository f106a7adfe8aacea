using Faust.Web.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Faust.Web.Tests.Routing;

// A local answer counts only if the partition stayed with this worker while it was read: a rebalance that closes it
// in between (the read then misses the store and would answer the table's default) turns the answer into a 503.
public sealed class TableDispatchTests : IDisposable
{
    private readonly FaustWebFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Hold_IsLost_WhenThePartitionIsClosedOrReopenedAfterRouting()
    {
        _ = await _factory.CreateReadyClientAsync();
        var dispatch = _factory.Services.GetRequiredService<TableDispatch>();
        var table = _factory.Services.GetRequiredService<FaustApp>().TableViews.Single(t => t.Name == "click_counts");
        var context = new DefaultHttpContext { RequestServices = _factory.Services };

        var (elsewhere, hold) = await dispatch.RouteAsync(context, table, "https://example.com/page/0", withBody: false);

        Assert.Null(elsewhere);
        Assert.Equal(3, hold.Partition);
        Assert.True(dispatch.StillHolds(hold));

        table.ClosePartitions([hold.Partition]);
        Assert.False(dispatch.StillHolds(hold), "closed by a rebalance after routing");

        table.OpenPartitions([hold.Partition], 8);
        Assert.False(dispatch.StillHolds(hold), "reopened: another store instance, whatever it holds");
    }
}
