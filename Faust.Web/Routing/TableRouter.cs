using Faust.Tables;
using Faust.Transport;

namespace Faust.Web.Routing;

// Routing invariant: a key is answered only by the worker whose store the agent wrote, or not at all (503).
//
// - A key is routed by the partition of its encoded bytes (ITableView.PartitionOf: the same murmur2 over the same
//   codec the table writes with), so a lookup reaches the partition the agent wrote.
// - This worker answers when it holds that partition and has recovered it; while it recovers, the answer is 503.
// - Otherwise the partition's owner comes from the cluster snapshot (DESIGN decision 4), which names an owner only
//   when exactly one worker claims the changelog partition; none, two (a rebalance in flight) or this worker itself
//   (a stale claim of ours) read as unknown: 503 with Retry-After, never a guess. So a request is forwarded only to
//   a URL the snapshot holds, and the worker it reaches answers it only if it holds the partition itself: a
//   forwarded request is never forwarded again (see TableDispatch).
internal sealed class TableRouter(FaustApp app)
{
    public RouteResult Route(ITableView table, string key)
    {
        if (app.Worker is not { } worker)
        {
            return new RouteResult.Unavailable("The worker has not started.");
        }

        if (!TryPartition(table, key, out var partition, out var invalid))
        {
            return invalid!;
        }

        if (partition is not { } p)
        {
            return new RouteResult.Unavailable($"Table '{table.Name}' has no partitions open yet.");
        }

        // A standby replica is not served as an owner's answer: its values lag the owner's.
        if (Holds(table, p))
        {
            // Held but still being filled from its changelog (at start, or handed over by a rebalance): its values may
            // lag, so the client retries instead of reading them.
            return worker.IsRecovered(p)
                ? new RouteResult.Local(p)
                : new RouteResult.Unavailable($"Partition {p} of table '{table.Name}' is recovering from its changelog.");
        }

        var snapshot = worker.Cluster.Current;
        var owner = snapshot.OwnerOf(new TopicPartition(table.ChangelogTopic, p));
        if (owner is null)
        {
            // Standby reads plug in here: a standby of p with lag within the bound answers RouteResult.Standby.
            return new RouteResult.Unavailable(snapshot.IsContested(new TopicPartition(table.ChangelogTopic, p))
                ? $"Partition {p} of table '{table.Name}' is moving between workers (a rebalance is in progress)."
                : $"Partition {p} of table '{table.Name}' is not held by any worker known to this one.");
        }

        if (owner.WorkerId == worker.WorkerId || owner.Url is not { Length: > 0 } url)
        {
            return new RouteResult.Unavailable($"Partition {p} of table '{table.Name}' has no reachable owner yet.");
        }

        return new RouteResult.Remote(p, url, owner.WorkerId);
    }

    // The URL of the worker that holds the key's partition, whether or not it has recovered it: GET /router/{table}/{key}/.
    public RouteResult Owner(ITableView table, string key, string selfUrl)
    {
        if (app.Worker is null)
        {
            return new RouteResult.Unavailable("The worker has not started.");
        }

        if (!TryPartition(table, key, out var partition, out var invalid))
        {
            return invalid!;
        }

        if (partition is { } p && Holds(table, p))
        {
            return new RouteResult.Remote(p, selfUrl, app.Worker.WorkerId);
        }

        return Route(table, key);
    }

    // This worker writes the partition (or, for a global table, keeps every partition current): not a standby replica.
    public static bool Holds(ITableView table, int partition) => table.StoreOf(partition) is not null && !table.IsStandby(partition);

    private static bool TryPartition(ITableView table, string key, out int? partition, out RouteResult? invalid)
    {
        invalid = null;
        try
        {
            partition = table.PartitionOf(key);
            return true;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or NotSupportedException or Serialization.CodecException)
        {
            partition = null;
            invalid = new RouteResult.InvalidKey($"Key '{key}' is not a valid key of table '{table.Name}': {ex.Message}");
            return false;
        }
    }

    // The changelog partitions this worker holds, per table: what /router/ and /assignment/ report for this worker.
    public IReadOnlyList<int> LocalPartitions(ITableView table)
    {
        var worker = app.Worker;
        if (worker is null)
        {
            return [];
        }

        if (!worker.TryGetPartitionCount(table.ChangelogTopic, out var count))
        {
            return [];
        }

        var held = new List<int>(count);
        for (var p = 0; p < count; p++)
        {
            if (table.StoreOf(p) is not null && !table.IsStandby(p))
            {
                held.Add(p);
            }
        }

        return held;
    }
}
