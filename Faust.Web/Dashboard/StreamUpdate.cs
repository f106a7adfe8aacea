namespace Faust.Web.Dashboard;

// One Server-Sent Event of /api/stream (event type "update"), sent every second: the overview's numbers and the
// newest second of the charts, small enough to send to every open dashboard.
internal sealed record StreamUpdate(
    DateTimeOffset Time,
    string State,
    bool Ready,
    int Generation,
    double? UptimeSeconds,
    double? EventsPerSecond,
    double? ReceivedPerSecond,
    double? SentPerSecond,
    long EventsTotal,
    long ReceivedTotal,
    long SentTotal,
    long? TotalLag,
    long Errors,
    long Rebalances,
    string? Fault,
    StreamPoint? Point,
    IReadOnlyList<StreamAgent> Agents);

/// <summary>The newest second of the history (as in <see cref="HistoryView"/>).</summary>
internal sealed record StreamPoint(long Time, double EventsPerSecond, double ReceivedPerSecond, double SentPerSecond, long? Lag);

internal sealed record StreamAgent(string Name, long Processed, double? EventsPerSecond, long Errors);
