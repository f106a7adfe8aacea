using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace Faust.Transport.Kafka;

// The kafka:// transport: Confluent.Kafka clients configured from Faust:Broker and the Faust:Kafka sections.
//
// Topics: the worker creates the topics it declares with the admin API. A broker may refuse (no CreateTopics
// ACL, or librdkafka's mock cluster, which has no admin API); then it checks with a metadata request that each
// topic exists, and fails naming what is missing. A broker that cannot be reached is retried with backoff
// (0.5 s doubling to 30 s), logging each attempt, until the start-up is cancelled.
internal sealed class KafkaTransport : ITransport
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly object _adminLock = new();
    private IAdminClient? _admin;
    private string? _creationRefused;

    public KafkaTransport(KafkaSettings settings, ILoggerFactory loggerFactory)
    {
        Settings = settings;
        Settings.ThrowIfInvalid();
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Faust.Transport.Kafka");
    }

    public KafkaSettings Settings { get; }

    private IAdminClient Admin
    {
        get
        {
            lock (_adminLock)
            {
                return _admin ??= new AdminClientBuilder(Settings.Admin())
                    .SetLogHandler((_, message) => KafkaLog.Librdkafka(_logger, message))
                    .SetErrorHandler((a, error) => KafkaLog.Error(_logger, a.Name, error))
                    .Build();
            }
        }
    }

    public async Task<int> EnsureTopicAsync(TopicSpec spec, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.Partitions, 1);
        var backoff = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var refusal = Volatile.Read(ref _creationRefused);
            if (refusal is null)
            {
                refusal = await TryCreateAsync(spec).ConfigureAwait(false);
            }

            var (reachable, partitions, reason) = await Task.Run(() => Describe(spec.Name), ct).ConfigureAwait(false);
            if (partitions is { } count)
            {
                return count;
            }

            if (reachable && refusal is not null)
            {
                // Reachable, yet the topic could not be created (refused, or the request timed out waiting for a
                // controller): say what must exist instead of retrying forever.
                Refuse(refusal);
                throw new InvalidOperationException(
                    $"Topic '{spec.Name}' does not exist on Kafka at {Settings.BootstrapServers}, and the broker refused to create it ({refusal}). "
                    + $"Create it with {spec.Partitions} partitions{(spec.Compacted ? " and cleanup.policy=compact" : "")}, or give this worker the right to create topics.");
            }

            // Unreachable, or created and not in the metadata yet: try again.
            if (!reachable)
            {
                KafkaLog.BrokerUnreachable(_logger, Settings.BootstrapServers, reason ?? refusal ?? "no answer", backoff.TotalSeconds);
            }

            await Task.Delay(backoff, ct).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    // Returns null when the topic was created or exists, else why it was not created.
    private async Task<string?> TryCreateAsync(TopicSpec spec)
    {
        var topic = new TopicSpecification { Name = spec.Name, NumPartitions = spec.Partitions, ReplicationFactor = Settings.ReplicationFactor };
        if (spec.Compacted)
        {
            topic.Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact" };
        }

        try
        {
            await Admin.CreateTopicsAsync([topic], new CreateTopicsOptions { RequestTimeout = Settings.RequestTimeout, OperationTimeout = Settings.RequestTimeout })
                .ConfigureAwait(false);
            KafkaLog.TopicCreated(_logger, spec.Name, spec.Partitions, spec.Compacted);
            return null;
        }
        catch (CreateTopicsException ex) when (ex.Results.Count == 1 && ex.Results[0].Error.Code == ErrorCode.TopicAlreadyExists)
        {
            return null;
        }
        catch (CreateTopicsException ex) when (ex.Results.Count == 1)
        {
            var error = ex.Results[0].Error;
            if (error.Code is ErrorCode.TopicAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed or ErrorCode.PolicyViolation)
            {
                Refuse($"{error.Code}: {error.Reason}");
            }

            return $"{error.Code}: {error.Reason}";
        }
        catch (KafkaException ex)
        {
            // The mock cluster answers Local_UnsupportedFeature (no admin API); a broker that is down times out,
            // and that is not a refusal.
            if (ex.Error.Code is ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion or ErrorCode.ClusterAuthorizationFailed or ErrorCode.TopicAuthorizationFailed)
            {
                Refuse($"{ex.Error.Code}: {ex.Error.Reason}");
            }

            return $"{ex.Error.Code}: {ex.Error.Reason}";
        }
    }

    private void Refuse(string reason)
    {
        if (Interlocked.CompareExchange(ref _creationRefused, reason, null) is null)
        {
            KafkaLog.CreationRefused(_logger, reason);
        }
    }

    private (bool Reachable, int? Partitions, string? Reason) Describe(string topic)
    {
        try
        {
            var metadata = Admin.GetMetadata(topic, Settings.RequestTimeout);
            var found = metadata.Topics.Find(t => t.Topic == topic);
            if (found is null || found.Error.Code == ErrorCode.UnknownTopicOrPart || found.Partitions.Count == 0)
            {
                return (true, null, found?.Error.Reason);
            }

            return found.Error.IsError ? (false, null, found.Error.Reason) : (true, found.Partitions.Count, null);
        }
        catch (KafkaException ex)
        {
            return (false, null, $"{ex.Error.Code}: {ex.Error.Reason}");
        }
    }

    public int? GetPartitionCount(string topic) => Describe(topic).Partitions;

    public ITransportProducer CreateProducer(bool transactional = false) =>
        new KafkaProducer(Settings, transactional, _loggerFactory.CreateLogger("Faust.Transport.Kafka.Producer"));

    public ITransportConsumer CreateConsumer(string? groupId, IRebalanceListener? listener = null) =>
        new KafkaConsumer(Settings, groupId, listener, _loggerFactory.CreateLogger("Faust.Transport.Kafka.Consumer"));

    public ValueTask DisposeAsync()
    {
        lock (_adminLock)
        {
            _admin?.Dispose();
            _admin = null;
        }

        return ValueTask.CompletedTask;
    }
}
