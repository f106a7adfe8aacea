namespace Faust.Diagnostics;

/// <summary>What a worker is doing, as the dashboard and <c>/api/overview</c> show it.</summary>
internal enum WorkerState
{
    /// <summary>Declaring topics and joining the consumer group; no partitions yet.</summary>
    Starting,

    /// <summary>Partitions were assigned and table partitions are being rebuilt from their changelogs; the
    /// streams of those partitions wait.</summary>
    Recovering,

    /// <summary>Every assigned partition has recovered and agents receive events.</summary>
    Running,

    /// <summary>Partitions were revoked and the new assignment has not arrived yet.</summary>
    Rebalancing,

    /// <summary>The worker is stopping: agents finish, offsets are committed, the broker connection closes.</summary>
    Stopping,

    /// <summary>The worker has stopped.</summary>
    Stopped,
}
