using Faust.Runtime;

namespace Faust.Tables;

/// <summary>A table seen without its type parameters: for HTTP lookups, recovery and the dashboard.</summary>
/// <remarks>The partition plumbing (open, close, flush, standbys, store lookup) is implemented here once, over the
/// table's <see cref="Stores"/>, for every kind of table.</remarks>
internal interface ITableView
{
    /// <summary>The table's local partitions.</summary>
    PartitionedStores Stores { get; }

    string Name { get; }

    string? Help { get; }

    string ChangelogTopic { get; }

    bool HasDefault { get; }

    int? DeclaredPartitions { get; }

    /// <summary>A global table: every worker holds every partition (see <c>FaustApp.GlobalTable</c>).</summary>
    bool IsGlobal { get; }

    /// <summary>The changelog's partition count once stores were opened, else 0.</summary>
    int PartitionCount => Stores.PartitionCount;

    /// <summary>Keys held locally, across partitions.</summary>
    int Count { get; }

    /// <summary>Looks a key up by its text form (a path segment) and renders the value as JSON.</summary>
    TableLookup Lookup(string keyText);

    /// <summary>Looks a key up in exactly one local partition, a standby replica included, and renders the value as
    /// JSON: for an HTTP read served from a standby while its owner cannot be reached (the only caller; every other
    /// read, count and iteration sees owned partitions only). A closed partition reads as a missing key.</summary>
    TableLookup LookupStandby(string keyText, int partition);

    /// <summary>A page of the keys held locally, partition by partition in store order: skips
    /// <paramref name="offset"/> entries and returns at most <paramref name="limit"/>; <paramref name="partition"/>
    /// limits it to one partition. Keys are in their text form (as <see cref="Lookup"/> takes them), values JSON.</summary>
    TablePage Browse(int? partition, int offset, int limit);

    /// <summary>The partition a key (given as text) lives on, by the changelog's key encoding.</summary>
    int? PartitionOf(string keyText);

    /// <summary>Opens local stores for these changelog partitions (on assignment).</summary>
    void OpenPartitions(IEnumerable<int> partitions, int partitionCount) => Stores.Open(partitions, partitionCount);

    /// <summary>Opens standby replicas of these partitions (hidden from reads; fed by the changelog follower), or
    /// turns open partitions into standbys (<paramref name="standby"/> true) and back.</summary>
    void SetStandby(IEnumerable<int> partitions, int partitionCount, bool standby)
    {
        if (standby)
        {
            Stores.Open(partitions, partitionCount, standby: true);
        }
        else
        {
            Stores.SetStandby(partitions, standby: false);
        }
    }

    /// <summary>Whether a local partition is a standby replica: open, but not what this worker serves.</summary>
    bool IsStandby(int partition) => Stores.IsStandby(partition);

    /// <summary>The store of a local partition, or null.</summary>
    Stores.IStore? StoreOf(int partition) => Stores.StoreOf(partition);

    /// <summary>Makes every open store's writes and applied changelog offset durable (at each commit).</summary>
    void Flush() => Stores.Flush();

    /// <summary>Applies one changelog record to a local partition (recovery, standbys) and tells subscribers.</summary>
    void ApplyChangelog(int partition, byte[] key, byte[]? value, long offset);

    /// <summary>Applies changelog records <c>[0, count)</c> to a local partition and makes them durable with their
    /// last offset (recovery's bulk path); tells subscribers as <see cref="ApplyChangelog"/> does.</summary>
    void ApplyChangelogBatch(int partition, ReadOnlySpan<Stores.ChangelogEntry> entries)
    {
        var store = StoreOf(partition) ?? throw new InvalidOperationException($"Partition {partition} of table '{Name}' is not open.");
        foreach (var entry in entries)
        {
            if (entry.Key is { } key)
            {
                ApplyChangelog(partition, key, entry.Value, entry.Offset);
            }
            else
            {
                store.SetAppliedOffset(entry.Offset);
            }
        }

        store.Flush();
    }

    /// <summary>Recovery of these partitions is done.</summary>
    void OnRecovered(IReadOnlyCollection<int> partitions, long applied);

    /// <summary>Closes the stores of these partitions (on revocation and shutdown).</summary>
    void ClosePartitions(IEnumerable<int> partitions) => Stores.Close(partitions);
}

/// <summary>What a lookup by key text found.</summary>
internal enum TableLookupStatus
{
    Found,
    Default,
    NotFound,
    BadKey,
}

/// <summary>The outcome of <see cref="ITableView.Lookup"/>: the value as JSON, or why there is none.</summary>
internal readonly record struct TableLookup(TableLookupStatus Status, byte[]? Json, string? Error = null);

/// <summary>One local entry of a table: its partition, the key's text form and the value as JSON.</summary>
internal readonly record struct TableEntry(int Partition, string Key, byte[] ValueJson);

/// <summary>A page of <see cref="ITableView.Browse"/>: the entries and how many the browsed partitions hold.</summary>
internal sealed record TablePage(IReadOnlyList<TableEntry> Entries, int Total);
