using Faust.App;
using Faust.Diagnostics;
using Faust.Runtime;
using Faust.Tables;
using Faust.Transport;

namespace Faust.Processing;

// What the monitor and the dashboard read from the worker. Kept apart from Worker.cs: the hooks there are one-line
// calls into FaustMonitor.
internal sealed partial class Worker
{
    /// <summary>The app's monitor.</summary>
    public FaustMonitor Monitor => _app.Monitor;

    /// <summary>The app's settings.</summary>
    public FaustOptions Options => _options;

    /// <inheritdoc />
    public TimeSpan CommitLivelockSoftTimeout => _options.CommitLivelockSoftTimeout;

    /// <summary>Every topic the worker declared (sources, other topics, changelogs) with its partition count.
    /// Complete once the worker has started.</summary>
    public IReadOnlyDictionary<string, int> PartitionCounts => _topics.Counts;

    /// <summary>The app's tables.</summary>
    public IReadOnlyList<ITableView> Tables => _app.Tables;

    /// <summary>Whether an agent reads the topic through the group consumer.</summary>
    public bool IsSourceTopic(string topic) => _inboxesByTopic.ContainsKey(topic);

    /// <summary>A partition's low and high watermarks as the broker sees them now, or null before the consumer
    /// exists.</summary>
    public WatermarkOffsets? GetWatermarks(TopicPartition partition, TimeSpan timeout) => _consumer?.GetWatermarks(partition, timeout);

    /// <summary>A partition's watermarks as the consumer already knows them (no broker request), or null.</summary>
    public WatermarkOffsets? GetCachedWatermarks(TopicPartition partition) => _consumer?.GetCachedWatermarks(partition);

    /// <summary>The group's committed offset: this worker's last commit, else what the broker holds.</summary>
    public long? GroupCommittedOffset(TopicPartition partition) => CommittedOffset(partition) ?? _consumer?.GetCommittedOffset(partition);
}
