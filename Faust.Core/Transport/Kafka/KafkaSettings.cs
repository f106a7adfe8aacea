using Confluent.Kafka;

namespace Faust.Transport.Kafka;

// The librdkafka configuration of each client: Faust.NET's defaults, then Faust:Kafka:Common, then the
// client's own section (Faust:Kafka:Consumer, :Producer or :Admin). Properties the worker owns are set last.
//
// Assignment (DESIGN decision 3): librdkafka has no custom assignors, and partition N of every source topic and
// changelog must land on one worker. The classic protocol's `range` assignor does that for topics with equal
// partition counts and equal subscriptions; it is eager (every rebalance revokes everything), and that is the
// default because it works with every broker. `cooperative-sticky` is incremental but does NOT co-partition, so
// it is not offered. KIP-848 (`group.protocol=consumer`, Kafka 4.0+) is incremental AND co-partitions with the
// server-side `range` assignor: setting Faust:Kafka:Consumer:group.protocol=consumer switches to it, and the
// worker then sets group.remote.assignor=range and drops partition.assignment.strategy.
//
// Fetching: librdkafka postpones the next fetch of a partition by fetch.queue.backoff.ms (default 1000 ms) once its
// local queue is over queued.min.messages / queued.max.messages.kbytes. A worker drains that queue in well under a
// second, then waits for the backoff with nothing to do: on the mock cluster a 400k-event read ran at ~115k/s with
// the default (one idle second per run) and at 300k-500k/s with 10 ms. Faust.NET buffers and pauses per partition
// itself (Faust:StreamBufferMaxSize), so the short backoff costs one queue check per partition every 10 ms while the
// agents are behind, nothing otherwise.
internal sealed class KafkaSettings
{
    /// <summary>Faust.NET's default for librdkafka's fetch.queue.backoff.ms (see the class comment).</summary>
    public const string FetchQueueBackoffMs = "10";

    private readonly KafkaClientProperties _kafka;

    public KafkaSettings(KafkaClientProperties kafka, string appId, string groupId, string bootstrapServers, string workerId)
    {
        _kafka = kafka;
        AppId = appId;
        GroupId = groupId;
        BootstrapServers = bootstrapServers;
        WorkerId = workerId;
    }

    public string AppId { get; }

    public string BootstrapServers { get; }

    public string WorkerId { get; }

    public string GroupId { get; }

    public string ClientId => $"{AppId}-{WorkerId}";

    /// <summary>One transactional producer per worker: {group}-{worker id}, stable across restarts so a restarted
    /// worker fences its zombie.</summary>
    public string TransactionalId => $"{GroupId}-{WorkerId}";

    public TimeSpan RequestTimeout => _kafka.RequestTimeout;

    public short ReplicationFactor => _kafka.ReplicationFactor;

    /// <summary>A group member (<paramref name="groupId"/> set) or an assign-only reader (null).</summary>
    public ConsumerConfig Consumer(string? groupId)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["client.id"] = ClientId,
            ["auto.offset.reset"] = "earliest",
            ["isolation.level"] = "read_committed",
            ["partition.assignment.strategy"] = "range",
            ["allow.auto.create.topics"] = "false",
            ["fetch.queue.backoff.ms"] = FetchQueueBackoffMs,
        };
        Overlay(config, _kafka.Common);
        Overlay(config, _kafka.Consumer);
        if (groupId is not null && !string.IsNullOrWhiteSpace(_kafka.GroupInstanceId))
        {
            config["group.instance.id"] = _kafka.GroupInstanceId!;
        }

        if (config.TryGetValue("group.protocol", out var protocol) && protocol.Equals("consumer", StringComparison.OrdinalIgnoreCase))
        {
            config.Remove("partition.assignment.strategy");
            config.TryAdd("group.remote.assignor", "range");
        }

        if (groupId is null)
        {
            // A recovery reader: no group membership, and it must see where a partition ends even when the last
            // offsets are transaction markers, which are never returned as records.
            config.Remove("group.instance.id");
            config["enable.partition.eof"] = "true";
        }

        config["bootstrap.servers"] = BootstrapServers;
        config["group.id"] = groupId ?? $"{GroupId}-reader";
        config["enable.auto.commit"] = "false";
        config["enable.auto.offset.store"] = "false";
        return new ConsumerConfig(config);
    }

    public ProducerConfig Producer(bool transactional)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["client.id"] = ClientId,
            ["enable.idempotence"] = "true",
            ["acks"] = "all",
            ["linger.ms"] = "5",
            // The worker always names the partition; this only matters for a record produced without one.
            ["partitioner"] = "murmur2_random",
            // Delivery reports need status, partition and offset only: the record is the caller's.
            ["dotnet.producer.delivery.report.fields"] = "status",
            // Topics are created by the worker with their partition counts, never as a side effect of a write.
            ["allow.auto.create.topics"] = "false",
        };
        Overlay(config, _kafka.Common);
        Overlay(config, _kafka.Producer);
        config["bootstrap.servers"] = BootstrapServers;
        if (transactional)
        {
            config["transactional.id"] = TransactionalId;
        }

        return new ProducerConfig(config);
    }

    public AdminClientConfig Admin()
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["client.id"] = ClientId + "-admin",
            // A metadata request must not create the topic it asks about (the topic check relies on it).
            ["allow.auto.create.topics"] = "false",
        };
        Overlay(config, _kafka.Common);
        Overlay(config, _kafka.Admin);
        config["bootstrap.servers"] = BootstrapServers;
        return new AdminClientConfig(config);
    }

    /// <summary>Checks every pass-through property against librdkafka, naming the setting of each bad one.</summary>
    public void ThrowIfInvalid()
    {
        var errors = new List<string>();
        foreach (var (section, properties) in _kafka.Sections())
        {
            if (properties.Count == 0)
            {
                continue;
            }

            foreach (var (name, error) in LibrdkafkaNative.Instance.CheckProperties(properties.Where(p => !p.Key.StartsWith("dotnet.", StringComparison.Ordinal))))
            {
                errors.Add($"Faust:Kafka:{section}:{name} is not valid: {error}.");
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Faust.NET cannot start: " + string.Join(" ", errors));
        }
    }

    private static void Overlay(Dictionary<string, string> config, IReadOnlyDictionary<string, string>? properties)
    {
        if (properties is null)
        {
            return;
        }

        foreach (var (name, value) in properties)
        {
            config[name] = value;
        }
    }
}
