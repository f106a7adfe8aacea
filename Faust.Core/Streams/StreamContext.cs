using Faust.Runtime;
using Faust.Transport;

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

    /// <summary>How many actors share the agent's stream. Above 1 events are processed out of order, so tables
    /// refuse writes (as in Faust).</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>The partition of the event being processed, or -1 between events, for channels and while a batch
    /// of several partitions is processed.</summary>
    public int Partition { get; set; } = -1;

    /// <summary>The source topic of the event being processed.</summary>
    public string? Topic { get; set; }

    /// <summary>The offset of the event being processed.</summary>
    public long Offset { get; set; } = -1;

    /// <summary>The headers of the event being processed (reply-to and correlation id of a request), or null.</summary>
    public IReadOnlyList<RecordHeader>? Headers => Holder?.CurrentHeaders;

    /// <summary>The key bytes of the event being processed, or null.</summary>
    public byte[]? RawKey => Holder?.CurrentRawKey;

    /// <summary>The enumerator handing out events under this context (set once per enumeration, so the per-event
    /// cost stays two field writes).</summary>
    public ICurrentEvent? Holder { get; set; }

    /// <summary>Whether the agent is inside an event (between handing it out and moving past it).</summary>
    public bool InEvent => Partition >= 0;

    public void Enter<TKey, TValue>(in Event<TKey, TValue> next)
    {
        if (!ReferenceEquals(Topic, next.Topic))
        {
            Topic = next.Topic;
        }

        Partition = next.Partition;
        Offset = next.Offset;
    }

    public void Leave() => Partition = -1;
}

/// <summary>What an enumerator holds now: the headers and key bytes of its current event (or batch's last event).</summary>
internal interface ICurrentEvent
{
    IReadOnlyList<RecordHeader>? CurrentHeaders { get; }

    byte[]? CurrentRawKey { get; }
}
