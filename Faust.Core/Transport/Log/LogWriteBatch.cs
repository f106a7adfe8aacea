namespace Faust.Transport.Log;

/// <summary>
/// Everything one group commit of the log broker writes: appended records, committed consumer offsets and
/// declared topics. A persistence writes a batch atomically: after a crash all of it is there or none of it.
/// </summary>
internal sealed class LogWriteBatch
{
    public List<(TopicPartition Partition, long Offset, TransportRecord Record)> Records { get; } = [];

    public List<(string Group, TopicPartition Partition, long Offset)> CommittedOffsets { get; } = [];

    public List<TopicSpec> Topics { get; } = [];

    public bool IsEmpty => Records.Count == 0 && CommittedOffsets.Count == 0 && Topics.Count == 0;

    public void Clear()
    {
        Records.Clear();
        CommittedOffsets.Clear();
        Topics.Clear();
    }
}
