using Faust.Runtime;

namespace Faust.Agents;

/// <summary>An agent's supervisor stopped the worker: the agent crashed with <see cref="SupervisorStrategy.StopWorker"/>,
/// failed on an event with <see cref="FailedEventAction.StopWorker"/>, or used up its restart budget.</summary>
public sealed class AgentCrashedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="inner">What the agent threw.</param>
    /// <param name="message">The message; default one naming the agent.</param>
    public AgentCrashedException(string agent, Exception inner, string? message = null)
        : base(message ?? $"Agent {agent} crashed and its supervisor stopped the worker: {inner.Message}", inner)
    {
        Agent = agent;
    }

    /// <summary>The agent's name.</summary>
    public string Agent { get; }
}
