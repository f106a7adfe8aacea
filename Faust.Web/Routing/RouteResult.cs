namespace Faust.Web.Routing;

// Where a request for a table key is answered.
internal abstract record RouteResult
{
    private RouteResult()
    {
    }

    // This worker holds the key's partition: answer from the local store.
    public sealed record Local(int Partition) : RouteResult;

    // Another worker holds it, the only one the cluster snapshot names: forward the request there (DESIGN decision 5).
    public sealed record Remote(int Partition, string OwnerUrl, string OwnerId) : RouteResult;

    // Standby read: the owner is unknown or unreachable and this worker keeps a standby replica of the
    // partition whose lag (changelog records behind its end) is within Faust:Web:StandbyReadMaxLag; answer from it
    // with Faust-Standby and Faust-Standby-Lag.
    public sealed record Standby(int Partition, long Lag) : RouteResult;

    // Nobody is known to hold it (not started, rebalancing, owner unknown or contested): 503 with Retry-After.
    public sealed record Unavailable(string Reason) : RouteResult;

    // The key's text is not a key of the table's type: 400.
    public sealed record InvalidKey(string Reason) : RouteResult;
}
