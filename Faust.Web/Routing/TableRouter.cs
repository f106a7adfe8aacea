using Faust.Tables;

namespace Faust.Web.Routing;

// Routing invariant: a key is routed by the partition of its encoded bytes (ITableView.PartitionOf, the same
// murmur2 over the same codec the table writes with), so a lookup reaches the worker whose store the agent wrote.
//
// Today the partition is answered here when this worker holds it (on memory:// and embedded:// it holds every
// partition) and is Unavailable otherwise. Forwarding to other workers plugs in at the Unavailable branch: look the
// partition's owner up in the assignment snapshot and return Remote(partition, url).
internal sealed class TableRouter(FaustApp app)
{
    public RouteResult Route(ITableView table, string key)
    {
        if (app.Worker is not { } worker)
        {
            return new RouteResult.Unavailable("The worker has not started.");
        }

        int? partition;
        try
        {
            partition = table.PartitionOf(key);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or NotSupportedException or Serialization.CodecException)
        {
            return new RouteResult.InvalidKey($"Key '{key}' is not a valid key of table '{table.Name}': {ex.Message}");
        }

        if (partition is not { } p)
        {
            return new RouteResult.Unavailable($"Table '{table.Name}' has no partitions open yet.");
        }

        // A standby replica is not served: its values lag its owner's.
        if (table.StoreOf(p) is null || table.IsStandby(p))
        {
            return new RouteResult.Unavailable($"Partition {p} of table '{table.Name}' is not held by this worker and its owner is not known.");
        }

        // Held but still being filled from its changelog (at start, or handed over by a rebalance): its values may
        // lag, so the client retries instead of reading them.
        return worker.IsRecovered(p)
            ? new RouteResult.Local(p)
            : new RouteResult.Unavailable($"Partition {p} of table '{table.Name}' is recovering from its changelog.");
    }

    // The changelog partitions this worker holds, per table: what /router/ and /assignment/ report.
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
