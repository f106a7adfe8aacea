namespace Faust.Web.Dashboard;

// One row of GET /api/agents. Timings are in milliseconds: over the monitor's window and since start.
internal sealed record AgentView(
    string Name,
    string Source,
    string SourceKind,
    int Concurrency,
    long Processed,
    double? EventsPerSecond,
    double? MeanMs,
    double? P99Ms,
    double? MeanMsTotal,
    double? P99MsTotal,
    long TimedEvents,
    long Errors,
    long Crashes,
    long Skipped,
    ErrorView? LastError);
