using Faust.Processing;

namespace Faust.Agents;

/// <summary>An agent seen without its type parameters.</summary>
internal interface IAgent
{
    string Name { get; }

    /// <summary>The topic the agent subscribes to, or null when it reads an in-process channel.</summary>
    string? SourceTopic { get; }

    /// <summary>The source's name (topic or channel).</summary>
    string SourceName { get; }

    /// <summary>Runs the agent until <paramref name="stopping"/> fires, restarting it when it crashes.</summary>
    Task RunAsync(Worker worker, CancellationToken stopping);
}
