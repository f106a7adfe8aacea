using System.Text.Json;

namespace Faust.Web.Dashboard;

// GET /api/tables and /api/tables/{name}.
internal sealed record TableView(
    string Name,
    string? Help,
    string ChangelogTopic,
    bool HasDefault,
    int? PartitionCount,
    IReadOnlyList<int> LocalPartitions,
    int KeyCount,
    long Gets,
    long Sets,
    long Deletes,
    TableRecoveryView Recovery);

/// <summary>Recovery of the table's local partitions from the changelog.</summary>
internal sealed record TableRecoveryView(bool InProgress, long Applied, long Total, IReadOnlyList<PartitionRecoveryView> Partitions);

internal sealed record PartitionRecoveryView(int Partition, long Start, long End, long Position, double Percent, bool Done);

/// <summary>GET /api/tables/{name}/lookup?key=: the value, where it lives and which worker answered.</summary>
/// <remarks><see cref="Status"/> is <c>found</c>, or <c>default</c> when the key is missing and the table has a
/// default (the value is the default).</remarks>
internal sealed record TableLookupView(string Table, string Key, int Partition, string Status, JsonElement Value, ServedByView ServedBy);

/// <summary>The worker that answered a request.</summary>
internal sealed record ServedByView(string Id, string Url);

/// <summary>GET /api/tables/{name}/keys: a page of the keys this worker holds.</summary>
internal sealed record TableKeysView(string Table, int? Partition, int Offset, int Limit, int Total, IReadOnlyList<TableKeyView> Items, ServedByView ServedBy);

internal sealed record TableKeyView(int Partition, string Key, JsonElement Value);
