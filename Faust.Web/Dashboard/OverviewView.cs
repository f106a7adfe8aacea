namespace Faust.Web.Dashboard;

// GET /api/overview: the worker at a glance. Nulls mean "not known"; Unknown says why, in words the dashboard shows.
internal sealed record OverviewView(
    WorkerView Worker,
    string State,
    bool Ready,
    int Generation,
    DateTimeOffset? StartedAt,
    double? UptimeSeconds,
    DateTimeOffset? SampledAt,
    RatesView Rates,
    TotalsView Totals,
    long? TotalLag,
    LatencyView Commits,
    LatencyView Assignments,
    RecoverySummaryView Recovery,
    IReadOnlyList<ErrorView> RecentErrors,
    string? Fault,
    HistoryView History,
    IReadOnlyList<string> Unknown);

/// <summary>This worker: id, URL, app and settings that shape what it shows.</summary>
internal sealed record WorkerView(string Id, string Url, string App, string Broker, string ProcessingGuarantee, int TopicPartitions);

/// <summary>Per-second rates over the monitor's window (null until two samples exist).</summary>
internal sealed record RatesView(double? EventsPerSecond, double? ReceivedPerSecond, double? SentPerSecond, int WindowSeconds);

internal sealed record TotalsView(long Events, long Received, long Sent, long Errors, long Rebalances);

internal sealed record LatencyView(long Count, double? MeanMs, double? LastMs, DateTimeOffset? LastAt);

internal sealed record RecoverySummaryView(bool InProgress, long Applied, long Total);

internal sealed record ErrorView(DateTimeOffset Time, string Source, string Kind, string Type, string Message, string? Where);

/// <summary>One point per second, oldest first: what the charts draw. <see cref="Lag"/> entries are null where the
/// lag was not known.</summary>
internal sealed record HistoryView(
    int IntervalSeconds,
    IReadOnlyList<long> Time,
    IReadOnlyList<double> EventsPerSecond,
    IReadOnlyList<double> ReceivedPerSecond,
    IReadOnlyList<double> SentPerSecond,
    IReadOnlyList<long?> Lag);
