using Faust.Web.Hosting;
using Faust.Web.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Faust.Web.Tests.Routing;

// The standby branch of the router: when the owner cannot answer, a standby within Faust:Web:StandbyReadMaxLag
// answers, labelled with its lag; a standby further behind, no standby, or standby reads off give 503.
public sealed class StandbyReadTests
{
    private const string Reason = "Partition 3 of table 'click_counts' is not held by any worker known to this one.";

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(7L, 1000L)]
    [InlineData(1000L, 1000L)]
    public void StandbyWithinTheBound_Answers_WithItsLag(long lag, long maxLag)
    {
        var result = TableRouter.Decide(3, lag, maxLag, Reason);

        Assert.Equal(new RouteResult.Standby(3, lag), result);
    }

    [Fact]
    public void StandbyBehindTheBound_Is503_SayingHowFarBehind()
    {
        var result = Assert.IsType<RouteResult.Unavailable>(TableRouter.Decide(3, 1001, 1000, Reason));

        Assert.StartsWith(Reason, result.Reason);
        Assert.Contains("1001 changelog records behind", result.Reason);
        Assert.Contains("Faust:Web:StandbyReadMaxLag (1000)", result.Reason);
    }

    [Fact]
    public void NoStandby_Is503_WithTheOwnersReason()
    {
        Assert.Equal(new RouteResult.Unavailable(Reason), TableRouter.Decide(3, lag: null, maxLag: 1000, Reason));
    }

    [Fact]
    public void StandbyReadsOff_Is503_EvenForACaughtUpStandby()
    {
        Assert.Equal(new RouteResult.Unavailable(Reason), TableRouter.Decide(3, lag: 0, maxLag: -1, Reason));
    }

    [Fact]
    public void StandbyAnswer_CarriesTheStandbyHeaders()
    {
        var context = new DefaultHttpContext();

        TableDispatch.MarkStandby(context, 42);

        Assert.Equal("true", context.Response.Headers["Faust-Standby"].ToString());
        Assert.Equal("42", context.Response.Headers["Faust-Standby-Lag"].ToString());
    }

    [Fact]
    public async Task AWorkerThatIsNoStandby_Is503_WhenItsOwnerCannotAnswer()
    {
        // One worker on the in-memory broker owns every partition and stands by for none: even with standby reads on,
        // the fallback for an owner that cannot answer is a 503, never a read of some other store.
        await using var factory = new FaustWebFactory(new Dictionary<string, string?> { ["Faust:Web:StandbyReadMaxLag"] = "1000" });
        _ = await factory.CreateReadyClientAsync();
        Assert.Equal(1000, factory.Services.GetRequiredService<IOptions<FaustWebOptions>>().Value.StandbyReadMaxLag);
        var router = factory.Services.GetRequiredService<TableRouter>();
        var table = factory.Services.GetRequiredService<FaustApp>().TableViews.Single(t => t.Name == "click_counts");

        var result = router.StandbyOr(table, 3, Reason);

        Assert.Equal(new RouteResult.Unavailable(Reason), result);
    }
}
