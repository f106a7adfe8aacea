using System.Diagnostics;
using System.Runtime.CompilerServices;
using Faust.Transport;

namespace Faust.Diagnostics;

// The statistics of one actor of an agent (an agent runs one actor, Concurrency actors, or one per partition). The
// actor is the only writer of the event counters, the timing histogram and its table operation counters (one loop
// enumerates a stream at a time), so they are plain increments, never locked or interlocked; the sampler reads them
// once a second, may see a value one event old, and adds the actors of an agent up.
//
// Timing: reading the clock costs about 65 ns on the 2-core CI machine, a twentieth of the click counter's whole
// event, so under load one event in 64 is timed (two clock reads amortised to about 2 ns an event); an event that
// arrives after the agent waited is always timed, so at low rates every event is. Mean and p99 come from the timed
// events: under load that is still thousands a second.
internal sealed class AgentStats
{
    private const long TimeOneIn = 64;
    private const int WindowSlots = FaustMonitor.WindowSeconds + 1;

    private readonly FaustMonitor _monitor;
    private readonly long[] _buckets = new long[LatencyHistogram.BucketCount];
    private readonly Window[] _window = new Window[WindowSlots];
    private long _processed;
    private long _timed;
    private long _timedTicks;
    private TableOps?[] _tables = [];
    private long _crashes;
    private long _skipped;
    private ErrorEntry? _lastError;
    private int _windowHead = -1;
    private int _windowCount;

    public AgentStats(FaustMonitor monitor, string name, string actor)
    {
        _monitor = monitor;
        Name = name;
        Actor = actor;
        for (var i = 0; i < _window.Length; i++)
        {
            _window[i] = new Window();
        }

        // A zero point at creation: events before the first sample count towards the first rate.
        _windowHead = 0;
        _windowCount = 1;
        _window[0].TimeMs = monitor.Time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    /// <summary>The agent's name.</summary>
    public string Name { get; }

    /// <summary>The actor's name: the agent's, <c>{agent}#{i}</c> or <c>{agent}[{partition}]</c>.</summary>
    public string Actor { get; }

    public long Processed => Volatile.Read(ref _processed);

    public long Errors => Interlocked.Read(ref _crashes) + Interlocked.Read(ref _skipped);

    public long Crashes => Interlocked.Read(ref _crashes);

    public long Skipped => Interlocked.Read(ref _skipped);

    public ErrorEntry? LastError => Volatile.Read(ref _lastError);

    // ---- the actor's side (hot path) ----

    /// <summary>An event was handed to the agent: returns the timestamp to pass to <see cref="OnEventDone"/>,
    /// or 0 when this event is not timed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long OnEventStart(bool afterWait) =>
        afterWait || (_processed & (TimeOneIn - 1)) == 0 ? Stopwatch.GetTimestamp() : 0;

    /// <summary>The agent moved past the event (it is acknowledged).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OnEventDone(long startedAt)
    {
        if (startedAt != 0)
        {
            RecordTiming(Stopwatch.GetTimestamp() - startedAt);
        }

        Volatile.Write(ref _processed, _processed + 1);
    }

    private void RecordTiming(long ticks)
    {
        _buckets[LatencyHistogram.IndexOf(ticks)]++;
        _timedTicks += ticks;
        Volatile.Write(ref _timed, _timed + 1);
        _monitor.Instruments?.RecordEventRuntime(Name, ticks);
    }

    /// <summary>The counters of one table, owned by this agent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TableOps TableOps(int tableIndex)
    {
        var tables = _tables;
        return (uint)tableIndex < (uint)tables.Length && tables[tableIndex] is { } ops ? ops : AddTable(tableIndex);
    }

    private TableOps AddTable(int tableIndex)
    {
        var tables = _tables;
        if (tableIndex >= tables.Length)
        {
            Array.Resize(ref tables, tableIndex + 1);
        }
        else
        {
            tables = (TableOps?[])tables.Clone();
        }

        var ops = tables[tableIndex] ??= new TableOps();
        Volatile.Write(ref _tables, tables);
        return ops;
    }

    // ---- errors (rare; any thread) ----

    public void OnCrashed(Exception error)
    {
        Interlocked.Increment(ref _crashes);
        Volatile.Write(ref _lastError, _monitor.RecordError(Name, "crash", error));
    }

    public void OnRecordSkipped(Exception error, TopicPartition partition, long offset)
    {
        Interlocked.Increment(ref _skipped);
        var entry = _monitor.RecordError(Name, "undecodable record", error, $"{partition.Topic}[{partition.Partition}]@{offset}");
        Volatile.Write(ref _lastError, entry);
    }

    // ---- the sampler's side ----

    /// <summary>Table counters this agent owns, by table index (entries may be null).</summary>
    public TableOps?[] Tables => Volatile.Read(ref _tables);

    /// <summary>Takes this second's cumulative copy and returns the actor's numbers, with the window's share.</summary>
    public ActorSample Sample(long timeMs)
    {
        var slot = _window[_windowHead = (_windowHead + 1) % WindowSlots];
        _windowCount = Math.Min(_windowCount + 1, WindowSlots);
        slot.TimeMs = timeMs;
        slot.Processed = Processed;
        slot.Timed = Volatile.Read(ref _timed);
        slot.TimedTicks = Volatile.Read(ref _timedTicks);
        Array.Copy(_buckets, slot.Buckets, _buckets.Length);

        var oldest = _window[(_windowHead - _windowCount + 1 + WindowSlots) % WindowSlots];
        var hasWindow = !ReferenceEquals(oldest, slot) && slot.TimeMs > oldest.TimeMs;
        return new ActorSample(
            slot.Processed,
            hasWindow ? slot.Processed - oldest.Processed : 0,
            hasWindow ? (slot.TimeMs - oldest.TimeMs) / 1000.0 : 0,
            hasWindow ? slot.Timed - oldest.Timed : 0,
            hasWindow ? slot.TimedTicks - oldest.TimedTicks : 0,
            slot.Buckets,
            hasWindow ? oldest.Buckets : slot.Buckets,
            slot.Timed,
            slot.TimedTicks,
            Crashes,
            Skipped,
            LastError);
    }

    private sealed class Window
    {
        public long TimeMs;
        public long Processed;
        public long Timed;
        public long TimedTicks;
        public readonly long[] Buckets = new long[LatencyHistogram.BucketCount];
    }
}
