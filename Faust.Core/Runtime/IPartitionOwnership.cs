namespace Faust.Runtime;

/// <summary>Which partitions this worker owns and whether their tables have recovered.</summary>
/// <remarks>Thread safe; the answers change at every rebalance.</remarks>
internal interface IPartitionOwnership
{
    /// <summary>Whether this worker processes partition <paramref name="partition"/> of its sources, and so writes
    /// that partition of every table.</summary>
    bool OwnsPartition(int partition);

    /// <summary>Whether the tables' partition <paramref name="partition"/> has recovered from its changelog.</summary>
    bool IsRecovered(int partition);
}
