using Faust.App;
using Faust.Transport.Kafka;
using Microsoft.Extensions.Logging;

namespace Faust.Kafka.Tests;

/// <summary>One librdkafka mock cluster for the test assembly. Tests use unique topic and group names.</summary>
public sealed class MockClusterFixture : IDisposable
{
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
        using var consumer = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(new Confluent.Kafka.ConsumerConfig { BootstrapServers = Bootstrap, GroupId = "watermarks" }).Build();
        return consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(topic, partition), TimeSpan.FromSeconds(10)).High.Value;
    }

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

    public void Dispose() => Cluster.Dispose();
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
