using System.Net;
using System.Net.Sockets;
using Faust.Web.Hosting;
using Faust.Web.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Faust.Web.Tests.Routing;

// An owner the snapshot names but that cannot answer: 503 with Retry-After, never a hang or a 500.
public sealed class TableForwarderTests
{
    private static TableForwarder Forwarder(TimeSpan timeout)
    {
        var services = new ServiceCollection();
        services.AddHttpClient(TableForwarder.ClientName, c => c.Timeout = timeout);
        var options = Options.Create(new FaustWebOptions { ForwardTimeout = timeout, RetryAfter = TimeSpan.FromSeconds(2) });
        return new TableForwarder(services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>(), options, new FaustApp(),
            NullLogger<TableForwarder>.Instance);
    }

    private static DefaultHttpContext Request()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/table/click_counts/a%2Fb/";
        return context;
    }

    [Fact]
    public async Task UnreachableOwner_Is503_WithRetryAfter()
    {
        // A port nobody listens on: bind one, note it, close it.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var context = Request();

        var result = await Forwarder(TimeSpan.FromSeconds(5)).ForwardAsync(context, new RouteResult.Remote(3, $"http://127.0.0.1:{port}", "gone"), null);

        var problem = Assert.IsType<ProblemHttpResult>(result);
        Assert.Equal(503, problem.StatusCode);
        Assert.Contains("could not be reached", problem.ProblemDetails.Detail);
        Assert.Equal("2", context.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task OwnerThatDoesNotAnswerInTime_Is503_AfterTheForwardTimeout()
    {
        // Accepts connections and never answers.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var context = Request();
            var clock = System.Diagnostics.Stopwatch.StartNew();

            var result = await Forwarder(TimeSpan.FromMilliseconds(300)).ForwardAsync(context, new RouteResult.Remote(3, $"http://127.0.0.1:{port}", "slow"), null);

            var problem = Assert.IsType<ProblemHttpResult>(result);
            Assert.Equal(503, problem.StatusCode);
            Assert.Contains("did not answer within", problem.ProblemDetails.Detail);
            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
        }
        finally
        {
            listener.Stop();
        }
    }
}
