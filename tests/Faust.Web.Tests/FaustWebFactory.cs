using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Faust.Web.Tests;

// The sample server (Program.cs) on the in-memory broker, with an app id of its own, so tests run in parallel
// without sharing topics or tables. A restarted worker is a second factory given the first one's app id.
public sealed class FaustWebFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    private readonly Microsoft.Extensions.Logging.ILoggerProvider? _logs;

    public FaustWebFactory(IReadOnlyDictionary<string, string?>? settings = null, bool kestrel = false, string? appId = null,
        Microsoft.Extensions.Logging.ILoggerProvider? logs = null)
    {
        _logs = logs;
        AppId = appId ?? $"web-{Guid.NewGuid():N}"[..16];
        _settings = new Dictionary<string, string?>
        {
            ["Faust:Id"] = AppId,
            ["Faust:Broker"] = "memory://",
            ["Faust:CommitInterval"] = "00:00:00.2",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        if (kestrel)
        {
            UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        }
    }

    public string AppId { get; }

    public string Changelog(string table) => $"{AppId}-{table}-changelog";

    // The server listens while tables recover (as Faust's does); tests that read tables wait until it is ready.
    public async Task<HttpClient> CreateReadyClientAsync()
    {
        var client = CreateClient();
        await Eventually.UntilAsync(async () => (await client.GetAsync("/readyz")).StatusCode, status => status == HttpStatusCode.OK,
            $"app {AppId} to be ready (/readyz 200)");
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
        if (_logs is { } logs)
        {
            builder.ConfigureLogging(logging => logging.AddProvider(logs));
        }
    }
}
