using Faust.Diagnostics;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Runtime;

/// <summary>What agents, their sources and timers run on: the running worker's inboxes, gate, producers, dead
/// letters and replies.</summary>
/// <remarks>One per started worker; every member is thread safe.</remarks>
internal interface IWorkerRuntime : IRecordSink, IChangelogSink, ITopicCatalog, IPartitionOwnership
{
    /// <summary>The worker's clock.</summary>
    TimeProvider Time { get; }

    /// <summary>Where the worker's parts log.</summary>
    ILogger Logger { get; }

    /// <summary>Held by agents per event; closed for commits under exactly_once and for revocations.</summary>
    ProcessingGate Gate { get; }

    /// <summary>The agents' dead-letter topics, once the worker has declared them.</summary>
    DeadLetterQueue? DeadLetters { get; }

    /// <summary>The app's monitor.</summary>
    FaustMonitor Monitor { get; }

    /// <summary>Completes once the table partitions of the first assignment have recovered.</summary>
    Task Ready { get; }

    /// <summary>Whether this worker leads the group now.</summary>
    bool IsLeader { get; }

    /// <summary>The transport, for readers of their own (replies, tests).</summary>
    ITransport Transport { get; }

    /// <summary>The buffered records of <paramref name="topic"/> for the agent named <paramref name="agent"/>.</summary>
    AgentInbox InboxOf(string agent, string topic);

    /// <summary>The worker's reply consumer, started at the first request.</summary>
    Task<ReplyConsumer> RepliesAsync(CancellationToken ct);

    /// <summary>Commits what every agent has acknowledged; returns the offsets committed.</summary>
    Task<IReadOnlyDictionary<TopicPartition, long>> CommitAsync(CancellationToken ct, CancellationToken gateWait = default);
}
