using Faust.Tables;
using Faust.Transport;
using Faust.Web.Hosting;
using Microsoft.Extensions.Options;

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
// - Standby reads (opt-in, Faust:Web:StandbyReadMaxLag >= 0, plain table lookups only): when the owner is unknown,
//   contested or unreachable and this worker keeps a standby replica of the partition no further behind its changelog
//   than the bound, the answer comes from the standby, labelled (Faust-Standby, Faust-Standby-Lag), never as the
//   owner's. A standby is never used while a remote owner is named and has not been tried.
internal sealed class TableRouter(FaustApp app, IOptions<FaustWebOptions> options)
{
    // standbyReads: the caller can answer RouteResult.Standby (a GET of a plain table lookup).
    public RouteResult Route(ITableView table, string key, bool standbyReads = false)
    {
        if (app.Engine is not { } worker)
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
            var reason = snapshot.IsContested(new TopicPartition(table.ChangelogTopic, p))
                ? $"Partition {p} of table '{table.Name}' is moving between workers (a rebalance is in progress)."
                : $"Partition {p} of table '{table.Name}' is not held by any worker known to this one.";
            return standbyReads ? StandbyOr(table, p, reason) : new RouteResult.Unavailable(reason);
        }

        if (owner.WorkerId == worker.WorkerId || owner.Url is not { Length: > 0 } url)
        {
            var reason = $"Partition {p} of table '{table.Name}' has no reachable owner yet.";
            return standbyReads ? StandbyOr(table, p, reason) : new RouteResult.Unavailable(reason);
        }

        return new RouteResult.Remote(p, url, owner.WorkerId);
    }

    // The owner of the partition cannot answer (why: reason): a standby read when this worker keeps a standby of it
    // within Faust:Web:StandbyReadMaxLag, else 503. Asks the broker for the changelog's end only when enabled.
    public RouteResult StandbyOr(ITableView table, int partition, string reason)
    {
        var maxLag = options.Value.StandbyReadMaxLag;
        if (maxLag < 0 || table.IsGlobal || app.Engine is not { } worker)
        {
            return new RouteResult.Unavailable(reason);
        }

        long? lag;
        try
        {
            lag = worker.StandbyLag(table, partition);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The broker did not give the changelog's end: the lag is unknown, so no standby read.
            return new RouteResult.Unavailable($"{reason} The lag of this worker's standby could not be read: {ex.Message}");
        }

        return Decide(partition, lag, maxLag, reason);
    }

    // The standby decision: a standby (lag known) within the bound answers; else 503 saying why.
    internal static RouteResult Decide(int partition, long? lag, long maxLag, string reason) => lag switch
    {
        _ when maxLag < 0 => new RouteResult.Unavailable(reason),
        null => new RouteResult.Unavailable(reason),
        { } l when l <= maxLag => new RouteResult.Standby(partition, l),
        { } l => new RouteResult.Unavailable(
            $"{reason} This worker's standby of partition {partition} is {l} changelog records behind, more than Faust:Web:StandbyReadMaxLag ({maxLag})."),
    };

    // The URL of the worker that holds the key's partition, whether or not it has recovered it: GET /router/{table}/{key}/.
    public RouteResult Owner(ITableView table, string key, string selfUrl)
    {
        if (app.Engine is null)
        {
            return new RouteResult.Unavailable("The worker has not started.");
        }

        if (!TryPartition(table, key, out var partition, out var invalid))
        {
            return invalid!;
        }

        if (partition is { } p && Holds(table, p))
        {
            return new RouteResult.Remote(p, selfUrl, app.Engine.WorkerId);
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
        var worker = app.Engine;
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
