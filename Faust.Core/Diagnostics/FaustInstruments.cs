using System.Diagnostics.Metrics;

namespace Faust.Diagnostics;

/// <summary>
/// The worker's statistics as <see cref="System.Diagnostics.Metrics"/> instruments on the meter
/// <see cref="MeterName"/> (<c>"Faust"</c>), named after Faust's sensors, for OpenTelemetry, <c>dotnet-counters</c>
/// or any <see cref="MeterListener"/>.
/// </summary>
/// <remarks>
/// <para>Counters and gauges are observable: they read the app's monitor snapshot (taken once a second) when a
/// listener collects, so they cost nothing while events flow. The histograms record as things happen, and
/// <c>events_runtime</c> only while a listener has enabled it.</para>
/// <list type="bullet">
/// <item><c>messages_received</c>, <c>topic_messages_sent</c> (counters; tags <c>topic</c>, <c>partition</c>): records
/// the consumer received and records this worker sent, changelog records included.</item>
/// <item><c>total_events</c>, <c>agent_errors</c> (counters; tag <c>agent</c>): events each agent processed, and its
/// crashes plus records it skipped because they did not decode.</item>
/// <item><c>table_operations</c> (counter; tags <c>table</c>, <c>operation</c> = get, set or delete).</item>
/// <item><c>total_rebalances</c> (counter): partition revocations.</item>
/// <item><c>consumer_lag</c>, <c>topic_partition_end_offset</c>, <c>topic_partition_offset_committed</c> (gauges;
/// tags <c>topic</c>, <c>partition</c>): lag is the end offset minus the committed offset, for partitions this
/// worker consumes.</item>
/// <item><c>events_runtime</c> (histogram, ms; tag <c>agent</c>): processing time of the events the monitor times
/// (every event at low rates, one in 64 under load).</item>
/// <item><c>consumer_commit_latency</c>, <c>assign_latency</c> (histograms, ms): how long commits take, and how long
/// from an assignment until its partitions have recovered and stream again.</item>
/// </list>
/// <para>An ASP.NET Core server gets one from <c>AddFaust</c>. Create at most one per app; it is thread safe.</para>
/// </remarks>
public sealed class FaustInstruments
{
    /// <summary>The name of the meter every Faust.NET instrument belongs to.</summary>
    public const string MeterName = "Faust";

    private readonly FaustMonitor _monitor;
    private readonly Histogram<double> _eventsRuntime;
    private readonly Histogram<double> _commitLatency;
    private readonly Histogram<double> _assignLatency;

    /// <summary>Creates the instruments of an app's monitor on a meter from <paramref name="meterFactory"/>.</summary>
    /// <param name="meterFactory">The host's meter factory; it owns the meter's lifetime.</param>
    /// <param name="monitor">The monitor whose statistics the instruments report.</param>
    internal FaustInstruments(IMeterFactory meterFactory, FaustMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(monitor);
        _monitor = monitor;
        Meter = meterFactory.Create(new MeterOptions(MeterName));

        Meter.CreateObservableCounter("messages_received", () => Partitions(static p => p.Received, onlyNonZero: true),
            "{message}", "Records received by the consumer.");
        Meter.CreateObservableCounter("topic_messages_sent", () => Partitions(static p => p.Sent, onlyNonZero: true),
            "{message}", "Records sent by this worker, changelog records included.");
        Meter.CreateObservableCounter("total_events", () => Agents(static a => a.Processed), "{event}", "Events processed by each agent.");
        Meter.CreateObservableCounter("agent_errors", () => Agents(static a => a.Errors), "{error}",
            "Crashes of each agent's function plus records it skipped because they did not decode.");
        Meter.CreateObservableCounter("table_operations", TableOperations, "{operation}", "Table gets, sets and deletes.");
        Meter.CreateObservableCounter("total_rebalances", () => _monitor.Snapshot.Rebalances, "{rebalance}", "Partition revocations.");
        Meter.CreateObservableGauge("consumer_lag", () => Offsets(static p => p.Lag), "{message}",
            "End offset minus committed offset of each partition this worker consumes.");
        Meter.CreateObservableGauge("topic_partition_end_offset", () => Offsets(static p => p.EndOffset), "{offset}",
            "The offset the next record of the partition will get.");
        Meter.CreateObservableGauge("topic_partition_offset_committed", () => Offsets(static p => p.Assigned ? p.CommittedOffset : null), "{offset}",
            "The group's committed offset of each partition this worker consumes.");
        Meter.CreateObservableGauge("consumer_commit_stalled", () => Offsets(static p => p.StalledSeconds is { } s ? (long)s : null), "s",
            "Seconds a consumed partition has had events waiting without its committed offset moving, once past Faust:CommitLivelockSoftTimeout.");
        _eventsRuntime = Meter.CreateHistogram<double>("events_runtime", "ms", "Processing time of timed events, per agent.");
        _commitLatency = Meter.CreateHistogram<double>("consumer_commit_latency", "ms", "How long offset commits take.");
        _assignLatency = Meter.CreateHistogram<double>("assign_latency", "ms",
            "From a partition assignment until its tables have recovered and its streams resume.");
        _monitor.Instruments = this;
    }

    /// <summary>The meter the instruments belong to.</summary>
    public Meter Meter { get; }

    internal void RecordEventRuntime(string agent, long ticks)
    {
        if (_eventsRuntime.Enabled)
        {
            _eventsRuntime.Record(LatencyHistogram.TicksToMilliseconds(ticks), new KeyValuePair<string, object?>("agent", agent));
        }
    }

    internal void RecordCommitLatency(double milliseconds) => _commitLatency.Record(milliseconds);

    internal void RecordAssignLatency(double milliseconds) => _assignLatency.Record(milliseconds);

    private IEnumerable<Measurement<long>> Partitions(Func<PartitionSnapshot, long> value, bool onlyNonZero)
    {
        foreach (var topic in _monitor.Snapshot.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                var v = value(partition);
                if (!onlyNonZero || v != 0)
                {
                    yield return new Measurement<long>(v, Tag("topic", topic.Name), Tag("partition", partition.Partition));
                }
            }
        }
    }

    private IEnumerable<Measurement<long>> Offsets(Func<PartitionSnapshot, long?> value)
    {
        foreach (var topic in _monitor.Snapshot.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                if (value(partition) is { } v)
                {
                    yield return new Measurement<long>(v, Tag("topic", topic.Name), Tag("partition", partition.Partition));
                }
            }
        }
    }

    private IEnumerable<Measurement<long>> Agents(Func<AgentSnapshot, long> value)
    {
        foreach (var agent in _monitor.Snapshot.Agents)
        {
            yield return new Measurement<long>(value(agent), Tag("agent", agent.Name));
        }
    }

    private IEnumerable<Measurement<long>> TableOperations()
    {
        foreach (var table in _monitor.Snapshot.Tables)
        {
            yield return new Measurement<long>(table.Gets, Tag("table", table.Name), Tag("operation", "get"));
            yield return new Measurement<long>(table.Sets, Tag("table", table.Name), Tag("operation", "set"));
            yield return new Measurement<long>(table.Deletes, Tag("table", table.Name), Tag("operation", "delete"));
        }
    }

    private static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}
