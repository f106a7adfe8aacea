using Faust.App;
using Faust.Diagnostics;
using Faust.Web.Dashboard;
using Faust.Web.Health;
using Faust.Web.Routing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Faust.Web.Hosting;

/// <summary>Adds a Faust.NET app to an ASP.NET Core (or generic) host.</summary>
public static class FaustHostingExtensions
{
    /// <summary>The port the server listens on when nothing else is configured, as Faust's <c>web_port</c>.</summary>
    public const int DefaultPort = 6066;

    /// <summary>
    /// Adds a Faust.NET app: its settings (the <c>Faust</c> configuration section, validated at start-up), the worker
    /// and every agent as hosted services, ProblemDetails errors, Swagger, health checks, the dashboard and its
    /// statistics, and <see cref="FaustInstruments"/> on the host's meter factory. Declare topics, tables and
    /// agents on the returned builder, then call <c>app.MapFaust()</c>.
    /// </summary>
    /// <remarks>
    /// <para>Calling it again returns the same builder.</para>
    /// <para>When no address is configured (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>Urls</c>, <c>HTTP_PORTS</c>,
    /// <c>HTTPS_PORTS</c> or <c>Kestrel:Endpoints</c>), the server listens on <c>http://localhost:6066</c>. The default
    /// has the lowest precedence of all configuration, so any of those settings replaces it.</para>
    /// </remarks>
    /// <param name="builder">The host builder, usually <c>WebApplication.CreateBuilder(args)</c>.</param>
    /// <returns>The builder to declare the app with.</returns>
    public static FaustBuilder AddFaust(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Properties.TryGetValue(typeof(FaustBuilder), out var existing))
        {
            return (FaustBuilder)existing;
        }

        var faust = new FaustBuilder(builder.Services, builder.Configuration, new FaustApp());
        builder.Properties[typeof(FaustBuilder)] = faust;
        UseDefaultPort(builder.Configuration);

        var services = builder.Services;
        services.AddOptions<FaustOptions>().BindConfiguration(FaustOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FaustOptions>, FaustOptionsValidator>());
        services.AddOptions<FaustWebOptions>().BindConfiguration(FaustWebOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FaustWebOptions>, FaustWebOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(faust.App);
        services.AddSingleton<CanonicalUrl>();
        services.AddSingleton<TableRouter>();
        services.AddSingleton<TableForwarder>();
        services.AddSingleton<TableDispatch>();
        // One hop to a key's owner: no proxy, no redirects, no cookies; pooled connections to the few other workers.
        services.AddHttpClient(TableForwarder.ClientName, (sp, client) =>
                client.Timeout = sp.GetRequiredService<IOptions<FaustWebOptions>>().Value.ForwardTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new System.Net.Http.SocketsHttpHandler
            {
                UseProxy = false,
                UseCookies = false,
                AllowAutoRedirect = false,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            });
        services.AddSingleton<ThisWorker>();
        services.AddSingleton<DashboardModel>();
        services.AddSingleton<DashboardFiles>();
        services.AddMetrics();
        services.AddSingleton(sp => new FaustInstruments(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), faust.App.Monitor));

        // Before any agent's service (they are added by faust.Agent, after this returns): see FaustWorkerService.
        services.AddHostedService<FaustWorkerService>();

        services.AddProblemDetails();
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen();
        services.AddHealthChecks()
            .AddCheck<FaustLivenessCheck>("faust-worker", tags: [FaustHealthTags.Live])
            .AddCheck<FaustReadinessCheck>("faust-tables", tags: [FaustHealthTags.Ready]);
        services.AddTransient<IStartupFilter, FaustStartupFilter>();
        return faust;
    }

    private static void UseDefaultPort(IConfigurationManager configuration)
    {
        if (configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 }
            || configuration[WebHostDefaults.HttpPortsKey] is { Length: > 0 }
            || configuration[WebHostDefaults.HttpsPortsKey] is { Length: > 0 }
            || configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            return;
        }

        // First source = lowest precedence: appsettings, environment variables and the command line all win.
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [new(WebHostDefaults.ServerUrlsKey, $"http://localhost:{DefaultPort}")],
        });
    }
}
