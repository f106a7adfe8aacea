namespace Faust.Transport;

/// <summary>One consumer: a poll loop's view of its partitions.</summary>
/// <remarks>Not thread safe except where noted: one thread polls; <see cref="Pause"/>, <see cref="Resume"/>
/// and <see cref="CommitAsync"/> may be called from other threads.</remarks>
internal interface ITransportConsumer : IDisposable
{
    /// <summary>The partitions assigned to this consumer now.</summary>
    IReadOnlyCollection<TopicPartition> Assignment { get; }

    /// <summary>Joins the group for these topics. Assignment arrives through the listener during <see cref="Poll"/>.</summary>
    void Subscribe(IReadOnlyCollection<string> topics);

    /// <summary>Leaves the group and joins it again on the poll thread: every partition is revoked, then a new
    /// assignment arrives through the listener. Thread safe. Transports with a single member do nothing.</summary>
    void Rejoin()
    {
    }

    /// <summary>Reads the given partitions from the given offsets, outside any group.</summary>
    void Assign(IReadOnlyCollection<KeyValuePair<TopicPartition, long>> partitionOffsets);

    /// <summary>Waits up to <paramref name="timeout"/> for records of one partition.</summary>
    /// <returns>A batch, or null when nothing arrived in time.</returns>
    RecordBatch? Poll(TimeSpan timeout);

    /// <summary>Stops fetching these partitions until resumed. Thread safe.</summary>
    void Pause(IEnumerable<TopicPartition> partitions);

    /// <summary>Resumes fetching. Thread safe.</summary>
    void Resume(IEnumerable<TopicPartition> partitions);

    /// <summary>Moves the read position of an assigned partition.</summary>
    void Seek(TopicPartition partition, long offset);

    /// <summary>The offset committed for the group, or null.</summary>
    long? GetCommittedOffset(TopicPartition partition);

    /// <summary>Commits offsets for the group (the offset of the next record to read). Thread safe.</summary>
    Task CommitAsync(IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken ct = default);

    /// <summary>The offset the next record of an assigned partition will have, as far as this consumer knows
    /// (it moves past transaction markers, which are never returned as records); null when unknown.</summary>
    long? GetPosition(TopicPartition partition) => null;

    /// <summary>Low and high watermarks of a partition as the broker sees them now.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="timeout">How long to wait for the broker; null for the transport's request timeout.</param>
    WatermarkOffsets GetWatermarks(TopicPartition partition, TimeSpan? timeout = null);

    /// <summary>The watermarks this consumer already knows without asking the broker (Kafka: what its fetches of an
    /// assigned partition brought back), or null when it knows none. For readers that ask every second, such as the
    /// monitor, where a broker request per partition would cost more than the answer is worth.</summary>
    WatermarkOffsets? GetCachedWatermarks(TopicPartition partition) => GetWatermarks(partition);

    /// <summary>The group id, or null for an assign-only consumer.</summary>
    string? GroupId { get; }
}
