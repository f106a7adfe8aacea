using Faust.Processing;

namespace Faust.Agents;

/// <summary>An agent seen without its type parameters.</summary>
internal interface IAgent : IWorkerTask
{
    /// <summary>The topic the agent subscribes to, or null when it reads an in-process channel.</summary>
    string? SourceTopic { get; }

    /// <summary>The source's name (topic or channel).</summary>
    string SourceName { get; }
}
