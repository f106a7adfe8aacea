using System.Text;
using Confluent.Kafka;
using Faust.App;
using Faust.Routing;
using Faust.Transport;
using Faust.Transport.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Partitioner = Faust.Routing.Partitioner;
using TopicPartition = Faust.Transport.TopicPartition;

namespace Faust.Kafka.Tests;

[Collection(MockClusterCollection.Name)]
public sealed class TransportTests(MockClusterFixture mock)
{
    private KafkaTransport NewTransport(string id) => TransportFactory.CreateKafka(mock.Options(id), mock.Bootstrap, NullLoggerFactory.Instance);

    [Fact]
    public async Task RoundTrip_KeepsKeysValuesHeadersAndOrder_PerPartition()
    {
        var topic = mock.Unique("roundtrip");
        mock.Cluster.CreateTopic(topic, 4);
        await using var transport = NewTransport(mock.Unique("app"));
        using var producer = transport.CreateProducer();
        var sent = new List<(int Partition, string Key, string Value)>();
        for (var i = 0; i < 200; i++)
        {
            var key = $"user-{i % 17}";
            var partition = Partitioner.Default.PartitionFor(Encoding.UTF8.GetBytes(key), 4);
            var headers = i % 10 == 0 ? new[] { new RecordHeader("trace", [(byte)i]) } : null;
            producer.Produce(new TopicPartition(topic, partition), new TransportRecord(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"v{i}"), headers, 1_700_000_000_000 + i));
            sent.Add((partition, key, $"v{i}"));
        }

        await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var listener = new RecordingListener();
        using var consumer = transport.CreateConsumer(mock.Unique("group"), listener);
        consumer.Subscribe([topic]);
        var received = new List<(int Partition, long Offset, string Key, string Value, TransportRecord Record)>();
        await Eventually.TrueAsync(() =>
        {
            if (consumer.Poll(TimeSpan.FromMilliseconds(100)) is { } batch)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    var r = batch.Records[i];
                    received.Add((batch.Partition.Partition, r.Offset, Encoding.UTF8.GetString(r.Record.Key!), Encoding.UTF8.GetString(r.Record.Value!), r.Record));
                }
            }

            return received.Count >= sent.Count;
        }, "200 records back");

        Assert.Equal(4, listener.Assigned.Count);
        Assert.Equal(sent.Count, received.Count);
        foreach (var p in Enumerable.Range(0, 4))
        {
            var expected = sent.Where(s => s.Partition == p).Select(s => (s.Key, s.Value)).ToArray();
            var actual = received.Where(r => r.Partition == p).OrderBy(r => r.Offset).Select(r => (r.Key, r.Value)).ToArray();
            Assert.Equal(expected, actual);
        }

        var withHeader = received.Single(r => r.Value == "v10").Record;
        Assert.Equal([(byte)10], Assert.Single(withHeader.Headers!).Value);
        Assert.Equal(1_700_000_000_010, withHeader.TimestampMs);
    }

    [Fact]
    public async Task Murmur2_AgreesWithLibrdkafkasPartitioner()
    {
        var topic = mock.Unique("murmur");
        mock.Cluster.CreateTopic(topic, 8);
        using var raw = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = mock.Bootstrap, Partitioner = Confluent.Kafka.Partitioner.Murmur2 }).Build();
        var keys = Enumerable.Range(0, 300).Select(i => $"https://example.com/page/{i}").Concat(["21", "foobar", "user-42", "a", "ünïcødé", ""]).ToArray();
        var mismatches = new List<string>();
        foreach (var key in keys)
        {
            var bytes = Encoding.UTF8.GetBytes(key);
            var result = await raw.ProduceAsync(topic, new Message<byte[], byte[]> { Key = bytes, Value = [] });
            var ours = Partitioner.Default.PartitionFor(bytes, 8);
            if (result.Partition.Value != ours)
            {
                mismatches.Add($"'{key}': librdkafka {result.Partition.Value}, ours {ours}");
            }
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public async Task FailedDelivery_FailsFlush_AndStaysFailed()
    {
        var options = mock.Options(mock.Unique("app"));
        options.Kafka.Producer["message.timeout.ms"] = "300";
        await using var transport = TransportFactory.CreateKafka(options, mock.Bootstrap, NullLoggerFactory.Instance);
        using var producer = transport.CreateProducer();
        Exception? reported = null;
        // A topic that does not exist (the producer may not create it): the record cannot be delivered.
        producer.Produce(new TopicPartition(mock.Unique("missing"), 0), new TransportRecord([1], [2], null, 0), (_, error) => reported = error);
        await Assert.ThrowsAsync<KafkaException>(() => producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.NotNull(reported);

        // A later flush with nothing outstanding still fails: the lost record's commit must never happen.
        await Assert.ThrowsAsync<KafkaException>(() => producer.FlushAsync());
    }

    [Fact]
    public async Task EnsureTopic_NamesAMissingTopic_WhenCreationIsRefused()
    {
        await using var transport = NewTransport(mock.Unique("app"));
        var missing = mock.Unique("never-created");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            transport.EnsureTopicAsync(new TopicSpec(missing, 6, Compacted: true)));
        Assert.Contains($"Topic '{missing}' does not exist", error.Message);
        Assert.Contains("6 partitions and cleanup.policy=compact", error.Message);
        Assert.Null(transport.GetPartitionCount(missing));
    }

    [Fact]
    public async Task EnsureTopic_ReturnsTheExistingPartitionCount()
    {
        var topic = mock.Unique("existing");
        mock.Cluster.CreateTopic(topic, 3);
        await using var transport = NewTransport(mock.Unique("app"));
        Assert.Equal(3, await transport.EnsureTopicAsync(new TopicSpec(topic, 8)));
        Assert.Equal(3, transport.GetPartitionCount(topic));
    }

    [Fact]
    public async Task Pause_HoldsRecords_UntilResumed()
    {
        var topic = mock.Unique("pause");
        mock.Cluster.CreateTopic(topic, 1);
        await using var transport = NewTransport(mock.Unique("app"));
        using var producer = transport.CreateProducer();
        var tp = new TopicPartition(topic, 0);
        await ProduceNumberedAsync(producer, tp, 0, 10);
        var listener = new RecordingListener();
        using var consumer = transport.CreateConsumer(mock.Unique("group"), listener);
        listener.OnAssignedAction = consumer.Pause; // as the worker does while tables recover
        consumer.Subscribe([topic]);
        await Eventually.TrueAsync(() => consumer.Poll(TimeSpan.FromMilliseconds(50)) is null && listener.Assigned.Count == 1, "the assignment");
        for (var i = 0; i < 10; i++)
        {
            Assert.Null(consumer.Poll(TimeSpan.FromMilliseconds(30)));
        }

        consumer.Resume([tp]);
        var offsets = new List<long>();
        await Eventually.TrueAsync(() => { PollOffsets(consumer, offsets); return offsets.Count >= 10; }, "the ten records after the resume");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), offsets);
    }

    [Fact]
    public async Task ARewoundFetch_NeverHandsOutAnOffsetTwice_InOneAssignment()
    {
        var topic = mock.Unique("rewind");
        mock.Cluster.CreateTopic(topic, 1);
        await using var transport = NewTransport(mock.Unique("app"));
        using var producer = transport.CreateProducer();
        var tp = new TopicPartition(topic, 0);
        await ProduceNumberedAsync(producer, tp, 0, 20);
        using var consumer = (KafkaConsumer)transport.CreateConsumer(mock.Unique("group"), new RecordingListener());
        consumer.Subscribe([topic]);
        var offsets = new List<long>();
        void PollOnce() => PollOffsets(consumer, offsets);

        await Eventually.TrueAsync(() => { PollOnce(); return offsets.Count >= 20; }, "the first twenty records");

        // librdkafka starts the partition over from offset 5, as its pause/resume races have; then ten more records come.
        consumer.RewindFetchBehindTheConsumersBack(tp, 5);
        await ProduceNumberedAsync(producer, tp, 20, 30);
        await Eventually.TrueAsync(() => { PollOnce(); return offsets.Count >= 30; }, "the ten new records");
        for (var i = 0; i < 10; i++)
        {
            PollOnce();
        }

        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), offsets);
        Assert.Equal(15, consumer.Redelivered);
    }

    // Records whose value is their number, from (inclusive) to (exclusive), on one partition; flushed.
    private static async Task ProduceNumberedAsync(ITransportProducer producer, TopicPartition tp, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            producer.Produce(tp, new TransportRecord(null, [(byte)i], null, 0));
        }

        await producer.FlushAsync();
    }

    // One poll; the offsets of the batch it returned, if any, go to the end of the list.
    private static void PollOffsets(ITransportConsumer consumer, List<long> offsets)
    {
        if (consumer.Poll(TimeSpan.FromMilliseconds(50)) is { } batch)
        {
            offsets.AddRange(batch.Records.Take(batch.Count).Select(r => r.Offset));
        }
    }

    internal sealed class RecordingListener : IRebalanceListener
    {
        public List<TopicPartition> Assigned { get; } = [];

        public List<TopicPartition> Revoked { get; } = [];

        public Action<IReadOnlyCollection<TopicPartition>>? OnAssignedAction { get; set; }

        public void OnAssigned(IReadOnlyCollection<TopicPartition> partitions)
        {
            Assigned.AddRange(partitions);
            OnAssignedAction?.Invoke(partitions);
        }

        public void OnRevoked(IReadOnlyCollection<TopicPartition> partitions) => Revoked.AddRange(partitions);
    }
}
