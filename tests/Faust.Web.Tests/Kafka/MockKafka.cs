using System.Text;
using Confluent.Kafka;
using Faust.Transport.Kafka;
using Faust.Transport.Log;
using Microsoft.Extensions.DependencyInjection;
using TopicPartition = Confluent.Kafka.TopicPartition;
using TopicSpec = Faust.Transport.TopicSpec;

namespace Faust.Web.Tests.Kafka;

// A librdkafka mock cluster (Faust.Core's P/Invoke) for the sample server: Kafka's protocol on 127.0.0.1, in this
// process. The sample's source topics have fixed names ("clicks", "orders", ...), so each test starts a cluster of its own.
public sealed class MockKafka : IDisposable
{
    // Small, so a test's load stays small on two cores; the sample's topics take it from Faust:TopicPartitions.
    public const int Partitions = 4;

    /// <summary>The partition of a string key among <see cref="Partitions"/> (murmur2 of its UTF-8 bytes).</summary>
    public static int PartitionOf(string key) => Faust.Routing.Partitioner.Default.PartitionFor(System.Text.Encoding.UTF8.GetBytes(key), Partitions);

    private static readonly string PartitionsText = Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture);
    private readonly MockCluster _cluster;

    public MockKafka()
    {
        _cluster = new MockCluster(brokers: 1);
        // Rebalances wait session.timeout.ms - 1 s on the mock (DESIGN), and the first one the initial delay.
        _cluster.SetInitialRebalanceDelay(TimeSpan.Zero);
        _cluster.SetControllerId(1);
    }

    public string Bootstrap => _cluster.BootstrapServers;

    // The mock has no CreateTopics API, so the topics the sample Program.cs declares are created here: sources,
    // repartition topics, table changelogs, the one-partition leader topic, dead-letter topics. Rather than a list
    // that goes stale as the sample grows, they are read from the sample itself, started once on the in-memory broker
    // with the same app id and partition count (request/reply topics are created on first use and are left out).
    public async Task CreateSampleTopicsAsync(string appId)
    {
        IReadOnlyList<TopicSpec> topics;
        await using (var sample = new FaustWebFactory(new Dictionary<string, string?> { ["Faust:TopicPartitions"] = PartitionsText }, appId: appId))
        {
            _ = await sample.CreateReadyClientAsync();
            var broker = Assert.IsType<LogBroker>(sample.Services.GetRequiredService<FaustApp>().Worker?.Transport);
            topics = broker.Topics;
        }

        Assert.Contains(topics, t => t.Name == "clicks");
        foreach (var topic in topics)
        {
            _cluster.CreateTopic(topic.Name, topic.Partitions);
        }
    }

    public void CreateTopic(string name, int partitions) => _cluster.CreateTopic(name, partitions);

    // The sample server on this cluster, with test-friendly timings (as the Kafka tests use) and the worker's state
    // (RocksDB tables, worker id) in a directory of its own.
    public Dictionary<string, string?> Settings(string dataDirectory) => new()
    {
        ["Faust:Broker"] = "kafka://" + Bootstrap,
        ["Faust:Store"] = "rocksdb://",
        ["Faust:DataDirectory"] = dataDirectory,
        ["Faust:TopicPartitions"] = PartitionsText,
        ["Faust:Kafka:Consumer:session.timeout.ms"] = "3000",
        ["Faust:Kafka:Consumer:heartbeat.interval.ms"] = "300",
        ["Faust:Kafka:Consumer:fetch.wait.max.ms"] = "50",
        ["Faust:Kafka:Consumer:topic.metadata.refresh.interval.ms"] = "1000",
        ["Faust:Kafka:Producer:linger.ms"] = "1",
        ["Faust:Kafka:RequestTimeout"] = "00:00:05",
    };

    // The group's committed offset of each partition of the topic (-1001 when none).
    public long[] Committed(string group, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = group }).Build();
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p));
        return [.. consumer.Committed(partitions, TimeSpan.FromSeconds(10)).OrderBy(c => c.Partition.Value).Select(c => c.Offset.Value)];
    }

    public long[] HighWatermarks(string topic)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = "watermarks" }).Build();
        return [.. Enumerable.Range(0, Partitions).Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value)];
    }

    // Every record of the topic, read from the start to the high watermarks, as (partition, key, value) text.
    public List<(int Partition, string Key, string? Value)> ReadAll(string topic)
    {
        var ends = HighWatermarks(topic);
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = "reader",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Where(p => ends[p] > 0).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var records = new List<(int, string, string?)>();
        var read = 0L;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (read < ends.Sum())
        {
            Assert.True(DateTime.UtcNow < deadline, $"read {read} of the {ends.Sum()} records of {topic}");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            read++;
            records.Add((result.Partition.Value, Encoding.UTF8.GetString(result.Message.Key),
                result.Message.Value is null ? null : Encoding.UTF8.GetString(result.Message.Value)));
        }

        return records;
    }

    public void Dispose() => _cluster.Dispose();
}
