namespace Faust.Web.Dashboard;

// GET /api/cluster: every worker the routing snapshot names. Complete is false when some worker could not be asked
// or when the snapshot cannot name them all; Notes say which.
internal sealed record ClusterView(
    int Generation,
    string Source,
    bool Complete,
    IReadOnlyList<ClusterWorkerView> Workers,
    ClusterTotalsView Totals,
    IReadOnlyList<string> Notes);

internal sealed record ClusterWorkerView(
    string Id,
    string Url,
    string Dashboard,
    bool Self,
    bool Reachable,
    string? State,
    int? Generation,
    IReadOnlyDictionary<string, IReadOnlyList<int>> Actives,
    IReadOnlyDictionary<string, IReadOnlyList<int>> Standbys,
    double? EventsPerSecond,
    long? TotalLag);

/// <summary>Sums over the workers that answered.</summary>
internal sealed record ClusterTotalsView(int Workers, int Reachable, double? EventsPerSecond, long? TotalLag);
