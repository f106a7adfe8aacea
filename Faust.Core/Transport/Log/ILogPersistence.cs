namespace Faust.Transport.Log;

/// <summary>
/// Durable storage under the log broker (the <c>embedded://</c> transport). The broker keeps recent records in
/// memory and asks the persistence for anything older; it writes through <see cref="Write"/> only.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="Write"/> is called by one writer thread at a time; <see cref="Read"/> may be called
/// concurrently with it and with itself. The Load methods are called once, at open, before anything else.
/// </remarks>
internal interface ILogPersistence : IDisposable
{
    /// <summary>Topics declared so far.</summary>
    IReadOnlyList<TopicSpec> LoadTopics();

    /// <summary>The offset the next record of the partition gets: last stored offset + 1, or 0.</summary>
    long LoadEndOffset(TopicPartition partition);

    /// <summary>Every committed consumer offset, per group.</summary>
    IReadOnlyList<(string Group, TopicPartition Partition, long Offset)> LoadCommittedOffsets();

    /// <summary>Reads up to <paramref name="max"/> records of a partition starting at <paramref name="fromOffset"/>
    /// and stopping before <paramref name="endOffset"/>, appending them to <paramref name="into"/>.</summary>
    /// <returns>How many records were read.</returns>
    int Read(TopicPartition partition, long fromOffset, long endOffset, int max, List<ConsumedRecord> into);

    /// <summary>Writes the whole batch atomically; when it returns, the batch survives a crash of the process.</summary>
    void Write(LogWriteBatch batch);
}
