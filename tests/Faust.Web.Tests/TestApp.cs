using Faust.Web.Endpoints;
using Faust.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Faust.Web.Tests;

// A server declared by a test, for what the sample Program.cs does not show (tables keyed by numbers, a worker
// that has not started), on a test server and the in-memory broker.
internal sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestApp(WebApplication app)
    {
        _app = app;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestApp> StartAsync(Action<FaustBuilder> declare, bool startWorker = true, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["Faust:Id"] = $"test-{Guid.NewGuid():N}"[..16];
        builder.Configuration["Faust:Broker"] = "memory://";
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.Configuration[key] = value;
        }

        declare(builder.AddFaust());
        if (!startWorker)
        {
            // Leaves the app as it is before the worker has started (or while it recovers): not ready.
            var hosted = builder.Services.Where(d => d.ServiceType == typeof(IHostedService)
                && (d.ImplementationType == typeof(FaustWorkerService) || d.ImplementationFactory is not null)).ToList();
            foreach (var descriptor in hosted)
            {
                builder.Services.Remove(descriptor);
            }
        }

        var app = builder.Build();
        app.MapFaust();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        if (startWorker)
        {
            await app.Services.GetRequiredService<FaustApp>().WhenReady.WaitAsync(Eventually.DefaultTimeout);
        }

        return new TestApp(app);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
