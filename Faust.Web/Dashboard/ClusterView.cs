namespace Faust.Web.Dashboard;

// GET /api/cluster: every worker the cluster view names (DESIGN decision 4: what each worker published to
// {app}-__assignor), this worker marked Self. Partitions are the published ones; state, events/s and lag are known
// for this worker only (other workers are not asked: their own dashboards, linked, have them). Contested lists the
// partitions more than one worker claims as active (a rebalance in flight). Complete is false when the view cannot
// name every worker (not read yet, or a worker published no URL); Notes say which.
internal sealed record ClusterView(
    int Generation,
    long ViewGeneration,
    string Source,
    bool Complete,
    IReadOnlyList<ClusterWorkerView> Workers,
    IReadOnlyDictionary<string, IReadOnlyList<int>> Contested,
    ClusterTotalsView Totals,
    IReadOnlyList<string> Notes);

// Reachable: true for this worker, null for the others (not asked).
internal sealed record ClusterWorkerView(
    string Id,
    string? Url,
    string? Dashboard,
    bool Self,
    bool? Reachable,
    string? State,
    long? Generation,
    IReadOnlyDictionary<string, IReadOnlyList<int>> Actives,
    IReadOnlyDictionary<string, IReadOnlyList<int>> Standbys,
    IReadOnlyDictionary<string, IReadOnlyList<int>> Contested,
    double? EventsPerSecond,
    long? TotalLag);

/// <summary>Workers known, and sums over the workers that answered (this one).</summary>
internal sealed record ClusterTotalsView(int Workers, int Reachable, double? EventsPerSecond, long? TotalLag);
