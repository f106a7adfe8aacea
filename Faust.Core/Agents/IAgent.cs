using Faust.Processing;
using Faust.Runtime;

namespace Faust.Agents;

/// <summary>An agent seen without its type parameters.</summary>
internal interface IAgent : IWorkerTask
{
    /// <summary>The topic the agent's stream reads first, or null when it reads an in-process channel.</summary>
    string? SourceTopic { get; }

    /// <summary>The source's name (topic or channel).</summary>
    string SourceName { get; }

    /// <summary>Every topic the agent reads (its stream's and its forwarders'), each with its own inbox. Known once
    /// the app's id is final (at start).</summary>
    IReadOnlyList<AgentSubscription> Subscriptions { get; }

    /// <summary>Whether events the agent's code keeps failing on go to its dead-letter topic.</summary>
    bool DeadLettersFailedEvents { get; }

    /// <summary>Concurrency, isolated partitions, retries (for the dashboard).</summary>
    AgentOptions Options { get; }
}

/// <summary>A topic an agent reads; <paramref name="Isolated"/> when each partition goes to its own actor.</summary>
internal readonly record struct AgentSubscription(string Topic, bool Isolated);
