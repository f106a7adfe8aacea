using Faust.Runtime;

namespace Faust.Tables;

/// <summary>Recovery of a table's local partitions is done.</summary>
/// <param name="partitions">The partitions recovered.</param>
/// <param name="applied">Changelog records applied, across the worker's tables.</param>
public sealed class TableRecoveredEventArgs(IReadOnlyCollection<int> partitions, long applied) : EventArgs
{
    /// <summary>The partitions recovered.</summary>
    public IReadOnlyCollection<int> Partitions { get; } = partitions;

    /// <summary>Changelog records applied, across the worker's tables.</summary>
    public long Applied { get; } = applied;
}
