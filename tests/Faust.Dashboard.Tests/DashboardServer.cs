using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Faust.Dashboard.Tests;

// The sample server (Faust.Web's Program.cs) on Kestrel, port 0 on loopback, the in-memory broker and an app id of
// its own: a real HTTP server a real browser can load.
public sealed class DashboardServer : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public DashboardServer()
    {
        AppId = $"dash-{Guid.NewGuid():N}"[..16];
        _settings = new Dictionary<string, string?>
        {
            ["Faust:Id"] = AppId,
            ["Faust:Broker"] = "memory://",
            ["Faust:CommitInterval"] = "00:00:00.2",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    public string AppId { get; }

    /// <summary>The address Kestrel listens on, e.g. http://127.0.0.1:41234.</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address.TrimEnd('/') + "/");
        }
    }

    public async Task<HttpClient> CreateReadyClientAsync()
    {
        var client = new HttpClient { BaseAddress = Address };
        await Eventually.UntilAsync(async () => (await client.GetAsync("readyz")).StatusCode, status => status == HttpStatusCode.OK,
            $"app {AppId} to be ready (/readyz 200)");
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
}
