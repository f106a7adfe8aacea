namespace Faust.Streams;

/// <summary>
/// What the code running an agent is processing now. An agent's runner sets one context per actor (one
/// AsyncLocal write), and the stream updates its fields per event, so tables learn the partition of the event
/// being processed without a per-event ExecutionContext change.
/// </summary>
internal sealed class StreamContext
{
    private static readonly AsyncLocal<StreamContext?> CurrentContext = new();

    public static StreamContext? Current
    {
        get => CurrentContext.Value;
        set => CurrentContext.Value = value;
    }

    /// <summary>The agent that owns the context.</summary>
    public required string AgentName { get; init; }

    /// <summary>The agent's statistics: events, timings and table operations it owns (see FaustMonitor).</summary>
    public Diagnostics.AgentStats? Stats { get; init; }

    /// <summary>The partition of the event being processed, or -1 between events and for channels.</summary>
    public int Partition { get; set; } = -1;

    /// <summary>The source topic of the event being processed.</summary>
    public string? Topic { get; set; }

    /// <summary>Whether the agent is inside an event (between handing it out and moving past it).</summary>
    public bool InEvent => Partition >= 0;
}
