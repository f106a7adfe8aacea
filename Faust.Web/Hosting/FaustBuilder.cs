using Faust.Agents;
using Faust.Runtime;
using Faust.Serialization;
using Faust.Streams;
using Faust.Tables;
using Faust.Timers;
using Faust.Topics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Faust.Web.Hosting;

/// <summary>
/// Declares the topics, tables, channels and agents of the Faust.NET app hosted by an ASP.NET Core server; returned by
/// <see cref="FaustHostingExtensions.AddFaust"/>.
/// </summary>
/// <remarks>
/// <para>The declaration methods are <see cref="FaustApp"/>'s own (both derive from <see cref="FaustDeclarations"/>) and
/// declare on <see cref="App"/>; each agent, timer and task is also registered as a hosted background service, so it
/// starts once the worker has started and stops before the worker commits and closes.</para>
/// <para>Declare everything before <c>builder.Build()</c>: the app starts with the host and refuses declarations after.
/// Not thread safe, like the rest of service registration.</para>
/// </remarks>
public sealed class FaustBuilder : FaustDeclarations
{
    internal FaustBuilder(IServiceCollection services, IConfiguration configuration, FaustApp app)
    {
        Services = services;
        Configuration = configuration;
        App = app;
    }

    /// <summary>The host's services, for features that extend Faust.NET.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The host's configuration; the app's settings come from its <c>Faust</c> section.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>The app the host runs.</summary>
    public FaustApp App { get; }

    private protected override FaustApp DeclaringApp => App;

    private protected override void CheckCanHost(string what)
    {
        if (Services.IsReadOnly)
        {
            throw new InvalidOperationException($"Declare {what} before builder.Build(): each runs as a hosted service.");
        }
    }

    // Not AddHostedService: it de-duplicates by implementation type, and there is one service per agent or timer.
    private protected override void OnTaskDeclared(IWorkerTask task)
    {
        switch (task)
        {
            case ScheduledTask scheduled:
                Services.AddSingleton<IHostedService>(sp => new ScheduledTaskHostedService(App, scheduled, sp.GetRequiredService<ILogger<ScheduledTaskHostedService>>()));
                break;
            case IAgent agent:
                Services.AddSingleton<IHostedService>(sp => new AgentHostedService(App, agent, sp.GetRequiredService<ILogger<AgentHostedService>>()));
                break;
        }
    }
}
