using Confluent.Kafka;
using Faust.App;
using Faust.Transport.Kafka;
using Microsoft.Extensions.Logging;

namespace Faust.Kafka.Tests;

/// <summary>One librdkafka mock cluster for the test assembly. Tests use unique topic and group names.</summary>
/// <remarks>The broker reads (<see cref="HighWatermark"/>, <see cref="Committed(string, string, int)"/>) reuse one
/// librdkafka consumer each (one per group for committed offsets) instead of building one per call: tests poll them
/// every 20 ms, and a new client per call costs a connection, threads and a metadata round trip each time.</remarks>
public sealed class MockClusterFixture : IDisposable
{
    private static readonly TimeSpan BrokerReadTimeout = TimeSpan.FromSeconds(10);

    // Guards the clients below: created lazily, used and disposed under it.
    private readonly object _clientsLock = new();
    private readonly Dictionary<string, IConsumer<byte[], byte[]>> _committedReaders = new(StringComparer.Ordinal);
    private IConsumer<byte[], byte[]>? _watermarkReader;
    private bool _disposed;
    private int _sequence;

    public MockClusterFixture()
    {
        Cluster = new MockCluster(brokers: 1);
        Prepare(Cluster);
    }

    internal MockCluster Cluster { get; }

    public string Bootstrap => Cluster.BootstrapServers;

    /// <summary>The offset the next record of the partition will get, as the broker sees it now.</summary>
    public long HighWatermark(string topic, int partition)
    {
        lock (_clientsLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _watermarkReader ??= NewConsumer("watermarks");
            return _watermarkReader.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(topic, partition), BrokerReadTimeout).High.Value;
        }
    }

    /// <summary>The group's committed offset of the partition as the broker holds it now (negative when none).</summary>
    public long Committed(string group, string topic, int partition) => ReadCommitted(group, topic, [partition])[0];

    /// <summary>The group's committed offsets of partitions 0 to <paramref name="partitionCount"/> - 1 of the topic, as
    /// the broker holds them now (negative when none).</summary>
    internal Dictionary<Faust.Transport.TopicPartition, long> CommittedOffsets(string group, string topic, int partitionCount)
    {
        var partitions = new int[partitionCount];
        for (var p = 0; p < partitionCount; p++)
        {
            partitions[p] = p;
        }

        var offsets = ReadCommitted(group, topic, partitions);
        var result = new Dictionary<Faust.Transport.TopicPartition, long>(partitionCount);
        for (var p = 0; p < partitionCount; p++)
        {
            result[new Faust.Transport.TopicPartition(topic, p)] = offsets[p];
        }

        return result;
    }

    private long[] ReadCommitted(string group, string topic, int[] partitions)
    {
        lock (_clientsLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_committedReaders.TryGetValue(group, out var reader))
            {
                // Never subscribes: it only asks the group's coordinator for offsets, it does not join the group.
                _committedReaders[group] = reader = NewConsumer(group);
            }

            var asked = new Confluent.Kafka.TopicPartition[partitions.Length];
            for (var i = 0; i < partitions.Length; i++)
            {
                asked[i] = new Confluent.Kafka.TopicPartition(topic, partitions[i]);
            }

            var answer = reader.Committed(asked, BrokerReadTimeout);
            var offsets = new long[partitions.Length];
            for (var i = 0; i < partitions.Length; i++)
            {
                offsets[i] = answer.Single(c => c.Topic == topic && c.Partition.Value == partitions[i]).Offset.Value;
            }

            return offsets;
        }
    }

    private IConsumer<byte[], byte[]> NewConsumer(string group) =>
        new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = group }).Build();

    /// <summary>A name no other test uses.</summary>
    public string Unique(string prefix) => $"{prefix}-{Interlocked.Increment(ref _sequence)}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Quick rebalances (see DESIGN: they wait session.timeout.ms - 1 s) and a controller, so an admin
    /// request fails at once instead of timing out.</summary>
    internal static void Prepare(MockCluster cluster)
    {
        cluster.SetInitialRebalanceDelay(TimeSpan.Zero);
        cluster.SetControllerId(1);
    }

    /// <summary>Options of an app on this cluster, with test-friendly timings.</summary>
    public FaustOptions Options(string id, string? workerId = null, string guarantee = "at_least_once") => ForCluster(Bootstrap, id, workerId, guarantee);

    internal static FaustOptions ForCluster(string bootstrap, string id, string? workerId = null, string guarantee = "at_least_once") => new()
    {
        Id = id,
        Broker = "kafka://" + bootstrap,
        WorkerId = workerId ?? "w1",
        ProcessingGuarantee = guarantee,
        CommitInterval = TimeSpan.FromMilliseconds(200),
        Kafka = new KafkaOptions
        {
            Consumer = new()
            {
                ["session.timeout.ms"] = "3000",
                ["heartbeat.interval.ms"] = "300",
                ["fetch.wait.max.ms"] = "50",
                ["topic.metadata.refresh.interval.ms"] = "1000",
            },
            Producer = new() { ["linger.ms"] = "1" },
            RequestTimeout = TimeSpan.FromSeconds(5),
        },
    };

    public void Dispose()
    {
        lock (_clientsLock)
        {
            _disposed = true;
            _watermarkReader?.Dispose();
            _watermarkReader = null;
            foreach (var reader in _committedReaders.Values)
            {
                reader.Dispose();
            }

            _committedReaders.Clear();
        }

        Cluster.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class MockClusterCollection : ICollectionFixture<MockClusterFixture>
{
    public const string Name = "mock cluster";
}

/// <summary>Collects log lines for assertions.</summary>
public sealed class LogCapture : ILoggerProvider, ILoggerFactory
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Category, string Message)> _lines = new();

    public IReadOnlyCollection<(LogLevel Level, string Category, string Message)> Lines => _lines;

    public bool Debug { get; set; }

    public string Dump() => string.Join("\n", _lines.Select(l => $"{l.Level} {l.Category}: {l.Message}"));

    public bool Contains(string text) => _lines.Any(l => l.Message.Contains(text, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= (owner.Debug ? LogLevel.Debug : LogLevel.Information);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._lines.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : " | " + exception.Message)));
            }
        }
    }
}
