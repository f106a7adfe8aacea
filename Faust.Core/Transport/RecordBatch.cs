namespace Faust.Transport;

/// <summary>Records of one partition in offset order, as one poll returned them.</summary>
/// <remarks>Offsets increase but need not be contiguous (Kafka has compaction and transaction markers).</remarks>
internal sealed class RecordBatch(TopicPartition partition, ConsumedRecord[] records, int count)
{
    public TopicPartition Partition { get; } = partition;

    public ConsumedRecord[] Records { get; } = records;

    public int Count { get; } = count;

    /// <summary>The offset after the last record: the position a consumer continues from.</summary>
    public long NextOffset => Records[Count - 1].Offset + 1;
}
