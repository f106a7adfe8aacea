using System.Globalization;
using System.Text;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Runtime;

// The dead-letter topics of a worker: one per agent, {app id}-{agent}-dlq, declared at start as internal topics
// with the partition count of the agent's source. A record an agent cannot handle is written there unchanged (key,
// value, timestamp, headers) plus DeadLetterHeaders, to the partition numbered like its source partition, so
// a replay keeps per-partition order.
//
// Ordering with the offset: the caller writes the dead letter first and acknowledges the offset after. Under
// at_least_once a commit flushes the producer before it commits offsets, so the dead letter is durable first; under
// exactly_once the write joins the worker's transaction (the caller holds the processing gate), so both commit
// together. A crash in between can only duplicate a dead letter, never lose one.
internal sealed partial class DeadLetterQueue
{
    private const int MaxMessageLength = 4000;
    private readonly Dictionary<string, (string Topic, int Partitions)> _topics = new(StringComparer.Ordinal);
    private readonly Func<TopicPartition, TransportRecord, CancellationToken, Task<DeliveryResult>> _produce;
    private readonly ILogger _logger;
    private long _sent;
    private long _failed;

    public DeadLetterQueue(string appId, Func<TopicPartition, TransportRecord, CancellationToken, Task<DeliveryResult>> produce, ILogger logger)
    {
        AppId = appId;
        _produce = produce;
        _logger = logger;
    }

    public string AppId { get; }

    /// <summary>Dead letters handed to the producer.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Dead letters the broker refused (logged).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public static string TopicName(string appId, string agent) => $"{appId}-{agent}-dlq";

    /// <summary>Creates the dead-letter topic of each agent (internal; existing topics are kept as they are).</summary>
    public async Task DeclareAsync(ITransport transport, IEnumerable<(string Agent, string? Source)> agents, Func<string?, int> partitionsOf, CancellationToken ct)
    {
        foreach (var (agent, source) in agents)
        {
            var name = TopicName(AppId, agent);
            var partitions = await transport.EnsureTopicAsync(new TopicSpec(name, partitionsOf(source), Internal: true), ct).ConfigureAwait(false);
            _topics[agent] = (name, partitions);
        }
    }

    /// <summary>The agent's dead-letter topic, or null when it has none.</summary>
    public string? TopicOf(string agent) => _topics.TryGetValue(agent, out var topic) ? topic.Topic : null;

    /// <summary>Writes a record the agent could not handle to its dead-letter topic. Never throws: a failure is logged
    /// and counted, and the caller acknowledges the record either way.</summary>
    /// <param name="agent">The agent.</param>
    /// <param name="source">Where the record was read.</param>
    /// <param name="offset">Its offset there.</param>
    /// <param name="record">The raw record, as read.</param>
    /// <param name="stage">A <see cref="DeadLetterHeaders"/> stage value.</param>
    /// <param name="error">Why it failed.</param>
    /// <param name="attempts">How many times the agent tried (<see cref="DeadLetterHeaders.Attempts"/>); 0 for decode errors.</param>
    /// <returns>Whether the record was handed to the producer (false when the agent has no dead-letter topic).</returns>
    public bool Send(string agent, TopicPartition source, long offset, TransportRecord record, string stage, Exception error, int attempts = 0)
    {
        if (!_topics.TryGetValue(agent, out var dlq))
        {
            return false;
        }

        var headers = new List<RecordHeader>((record.Headers?.Count ?? 0) + 7);
        if (record.Headers is { } original)
        {
            headers.AddRange(original);
        }

        headers.Add(Header(DeadLetterHeaders.Topic, source.Topic));
        headers.Add(Header(DeadLetterHeaders.Partition, source.Partition.ToString(CultureInfo.InvariantCulture)));
        headers.Add(Header(DeadLetterHeaders.Offset, offset.ToString(CultureInfo.InvariantCulture)));
        headers.Add(Header(DeadLetterHeaders.Agent, agent));
        headers.Add(Header(DeadLetterHeaders.Stage, stage));
        headers.Add(Header(DeadLetterHeaders.ExceptionType, error.GetType().FullName ?? error.GetType().Name));
        headers.Add(Header(DeadLetterHeaders.ExceptionMessage, Describe(error)));
        if (attempts > 0)
        {
            headers.Add(Header(DeadLetterHeaders.Attempts, attempts.ToString(CultureInfo.InvariantCulture)));
        }

        // A channel's events have partition -1.
        var target = new TopicPartition(dlq.Topic, Math.Max(source.Partition, 0) % dlq.Partitions);
        var letter = new TransportRecord(record.Key, record.Value, headers, record.TimestampMs);
        try
        {
            var delivery = _produce(target, letter, CancellationToken.None);
            Interlocked.Increment(ref _sent);
            if (!delivery.IsCompleted)
            {
                _ = delivery.ContinueWith(
                    static (task, state) => ((DeadLetterQueue)state!).OnDeliveryFailed(task.Exception!),
                    this, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            else if (delivery.IsFaulted)
            {
                OnDeliveryFailed(delivery.Exception!);
            }

            LogDeadLettered(_logger, agent, source.Topic, source.Partition, offset, dlq.Topic, stage, error.Message);
            return true;
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _failed);
            LogSendFailed(_logger, ex, agent, source.Topic, source.Partition, offset, dlq.Topic);
            return false;
        }
    }

    private void OnDeliveryFailed(AggregateException error)
    {
        Interlocked.Increment(ref _failed);
        LogDeliveryFailed(_logger, error.GetBaseException());
    }

    private static RecordHeader Header(string name, string value) => new(name, Encoding.UTF8.GetBytes(value));

    private static string Describe(Exception error)
    {
        var text = new StringBuilder(error.Message);
        for (var inner = error.InnerException; inner is not null && text.Length < MaxMessageLength; inner = inner.InnerException)
        {
            text.Append(" ---> ").Append(inner.Message);
        }

        return text.Length <= MaxMessageLength ? text.ToString() : text.ToString(0, MaxMessageLength);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {Agent} sent the record at {Topic}[{Partition}]@{Offset} to {DeadLetterTopic} ({Stage}: {Reason}).")]
    private static partial void LogDeadLettered(ILogger logger, string agent, string topic, int partition, long offset, string deadLetterTopic, string stage, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Agent {Agent} could not send the record at {Topic}[{Partition}]@{Offset} to {DeadLetterTopic}; it is skipped.")]
    private static partial void LogSendFailed(ILogger logger, Exception ex, string agent, string topic, int partition, long offset, string deadLetterTopic);

    [LoggerMessage(Level = LogLevel.Error, Message = "A dead-letter record was not written.")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception ex);
}
