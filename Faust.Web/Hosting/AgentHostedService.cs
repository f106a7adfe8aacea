using Faust.Agents;
using Faust.Runtime;
using Microsoft.Extensions.Logging;

namespace Faust.Web.Hosting;

// One per agent. Registered after FaustWorkerService, so it starts once the worker consumes and is stopped (its
// stream ends, the last event is acknowledged) before the worker commits and closes.
internal sealed partial class AgentHostedService(FaustApp app, IAgent agent, ILogger<AgentHostedService> logger)
    : FaustBackgroundService(app, $"Agent {agent.Name}", logger)
{
    public IAgent Agent => agent;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogAgentStarted(logger, agent.Name, agent.SourceName);
        await App.RunAsync(agent, stoppingToken).ConfigureAwait(false);
        LogAgentStopped(logger, agent.Name);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} started on {Source}.")]
    private static partial void LogAgentStarted(ILogger logger, string agent, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} stopped.")]
    private static partial void LogAgentStopped(ILogger logger, string agent);
}
