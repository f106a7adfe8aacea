namespace Faust.Web.Dashboard;

// One row of GET /api/agents. Timings are in milliseconds: over the monitor's window and since start. Concurrency is
// the agent's setting; with IsolatedPartitions the agent runs one actor per assigned partition instead; Actors is how
// many actors have run so far.
internal sealed record AgentView(
    string Name,
    string Source,
    string SourceKind,
    int Concurrency,
    bool IsolatedPartitions,
    int Actors,
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
