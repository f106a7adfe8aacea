using Faust.Transport;

namespace Faust.Runtime;

/// <summary>Where tables write their changes: one changelog record per key and commit interval when buffered.</summary>
/// <remarks>Thread safe. The record is durable before the offsets of the event that wrote it are committed.</remarks>
internal interface IChangelogSink
{
    /// <summary>Queues a changelog record (a null value is a tombstone) on the changelog partition <paramref name="tp"/>.</summary>
    void ProduceChangelog(TopicPartition tp, byte[] key, byte[]? value);
}
