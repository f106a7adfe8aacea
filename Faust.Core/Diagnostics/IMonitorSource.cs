using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Diagnostics;

/// <summary>What the monitor samples of a running worker: its topics, assignment, offsets and fault.</summary>
/// <remarks>Called on the sampler's thread while the worker runs; every member must be thread safe.</remarks>
internal interface IMonitorSource
{
    /// <summary>Every topic the worker declared with its partition count; complete once the worker has started.</summary>
    IReadOnlyDictionary<string, int> PartitionCounts { get; }

    /// <summary>The partitions the worker's consumer holds now.</summary>
    IReadOnlyCollection<TopicPartition> Assignment { get; }

    /// <summary>Why the worker stopped working, or null.</summary>
    Exception? Fault { get; }

    /// <summary>How long a partition may wait with events and no commit before it is reported as stalled.</summary>
    TimeSpan CommitLivelockSoftTimeout { get; }

    /// <summary>Where the sampler logs what it finds.</summary>
    ILogger Logger { get; }

    /// <summary>A topic's partition count, when the worker declared it.</summary>
    bool TryGetPartitionCount(string topic, out int count);

    /// <summary>A partition's watermarks as the broker sees them now.</summary>
    WatermarkOffsets? GetWatermarks(TopicPartition partition, TimeSpan timeout);

    /// <summary>A partition's watermarks as the consumer already knows them (no broker request).</summary>
    WatermarkOffsets? GetCachedWatermarks(TopicPartition partition);

    /// <summary>The group's committed offset of a partition.</summary>
    long? GroupCommittedOffset(TopicPartition partition);
}
