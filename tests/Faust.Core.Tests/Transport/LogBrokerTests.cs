using Faust.Transport;
using Faust.Transport.Embedded;
using Faust.Transport.Log;

namespace Faust.Core.Tests.Transport;

public sealed class LogBrokerTests
{
    private static TransportRecord Record(string key, string value) =>
        new(System.Text.Encoding.UTF8.GetBytes(key), System.Text.Encoding.UTF8.GetBytes(value), null, 0);

    private static string ValueOf(ConsumedRecord r) => System.Text.Encoding.UTF8.GetString(r.Record.Value!);

    [Fact]
    public async Task Produce_AssignsOffsets_AndAConsumerReadsThemInOrder()
    {
        await using var broker = LogBroker.CreateInMemory();
        await broker.EnsureTopicAsync(new TopicSpec("t", 2));
        var producer = broker.CreateProducer();
        var tp = new TopicPartition("t", 1);
        Assert.Equal(0, (await producer.ProduceAsync(tp, Record("a", "1"))).Offset);
        Assert.Equal(1, (await producer.ProduceAsync(tp, Record("a", "2"))).Offset);
        using var reader = broker.CreateConsumer(null);
        reader.Assign([new(tp, 0L)]);
        var batch = reader.Poll(TimeSpan.FromSeconds(1))!;
        Assert.Equal(["1", "2"], batch.Records.Take(batch.Count).Select(ValueOf));
        Assert.Equal(new WatermarkOffsets(0, 2), reader.GetWatermarks(tp));
    }

    [Fact]
    public async Task Poll_WakesUp_WhenARecordArrives()
    {
        await using var broker = LogBroker.CreateInMemory();
        await broker.EnsureTopicAsync(new TopicSpec("t", 1));
        using var reader = broker.CreateConsumer(null);
        var tp = new TopicPartition("t", 0);
        reader.Assign([new(tp, 0L)]);
        var poll = Task.Run(() => reader.Poll(TimeSpan.FromSeconds(10)));
        await Task.Delay(100);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await broker.CreateProducer().ProduceAsync(tp, Record("k", "v"));
        Assert.NotNull(await poll);
        Assert.True(watch.ElapsedMilliseconds < 2000, $"the poll woke after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Transaction_IsInvisibleUntilCommitted_AndAbortDropsIt()
    {
        await using var broker = LogBroker.CreateInMemory();
        await broker.EnsureTopicAsync(new TopicSpec("in", 1));
        await broker.EnsureTopicAsync(new TopicSpec("out", 1));
        using var group = broker.CreateConsumer("g");
        group.Subscribe(["in"]);
        var producer = broker.CreateProducer(transactional: true);
        var output = new TopicPartition("out", 0);
        using var reader = broker.CreateConsumer(null);
        reader.Assign([new(output, 0L)]);

        producer.BeginTransaction();
        producer.Produce(output, Record("k", "aborted"));
        producer.AbortTransaction();
        producer.BeginTransaction();
        producer.Produce(output, Record("k", "committed"));
        Assert.Null(reader.Poll(TimeSpan.FromMilliseconds(50)));
        await producer.CommitTransactionAsync(new Dictionary<TopicPartition, long> { [new("in", 0)] = 7 }, group);

        var batch = reader.Poll(TimeSpan.FromSeconds(1))!;
        Assert.Equal(["committed"], batch.Records.Take(batch.Count).Select(ValueOf));
        Assert.Equal(7, group.GetCommittedOffset(new TopicPartition("in", 0)));
    }

    [Fact]
    public async Task Embedded_KeepsRecordsOffsetsAndTopics_AcrossReopen()
    {
        using var dir = new TempDirectory();
        var tp = new TopicPartition("t", 0);
        await using (var broker = LogBroker.CreateDurable("embedded", RocksDbLogPersistence.Open(dir.Path)))
        {
            await broker.EnsureTopicAsync(new TopicSpec("t", 3));
            var producer = broker.CreateProducer(transactional: true);
            producer.BeginTransaction();
            for (var i = 0; i < 10; i++)
            {
                producer.Produce(tp, Record("k", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            using var group = broker.CreateConsumer("g");
            group.Subscribe(["t"]);
            await producer.CommitTransactionAsync(new Dictionary<TopicPartition, long> { [tp] = 4 }, group);
        }

        await using var reopened = LogBroker.CreateDurable("embedded", RocksDbLogPersistence.Open(dir.Path));
        Assert.Equal(3, reopened.GetPartitionCount("t"));
        using var consumer = reopened.CreateConsumer("g");
        consumer.Subscribe(["t"]);
        Assert.Equal(4, consumer.GetCommittedOffset(tp));
        var batch = consumer.Poll(TimeSpan.FromSeconds(1))!;
        Assert.Equal(tp, batch.Partition);
        Assert.Equal(["4", "5", "6", "7", "8", "9"], batch.Records.Take(batch.Count).Select(ValueOf));
        Assert.Equal(10, (await reopened.CreateProducer().ProduceAsync(tp, Record("k", "10"))).Offset);
    }

    [Fact]
    public async Task Embedded_ReadsOlderRecordsFromDisk_AfterTheTailIsTrimmed()
    {
        using var dir = new TempDirectory();
        await using var broker = LogBroker.CreateDurable("embedded", RocksDbLogPersistence.Open(dir.Path));
        var tp = new TopicPartition("t", 0);
        await broker.EnsureTopicAsync(new TopicSpec("t", 1));
        var producer = broker.CreateProducer();
        const int count = 300_000; // above twice the in-memory tail (2 x 131072)
        for (var i = 0; i < count; i++)
        {
            producer.Produce(tp, new TransportRecord(null, BitConverter.GetBytes(i), null, 0));
        }

        await producer.FlushAsync();
        using var reader = broker.CreateConsumer(null);
        reader.Assign([new(tp, 0L)]);
        var expected = 0;
        while (expected < count)
        {
            var batch = reader.Poll(TimeSpan.FromSeconds(5))!;
            for (var i = 0; i < batch.Count; i++, expected++)
            {
                Assert.Equal(expected, batch.Records[i].Offset);
                Assert.Equal(expected, BitConverter.ToInt32(batch.Records[i].Record.Value));
            }
        }
    }

    [Fact]
    public async Task SecondMember_OfAGroup_IsRefused()
    {
        await using var broker = LogBroker.CreateInMemory();
        await broker.EnsureTopicAsync(new TopicSpec("t", 1));
        using var first = broker.CreateConsumer("g");
        first.Subscribe(["t"]);
        using var second = broker.CreateConsumer("g");
        var error = Assert.Throws<InvalidOperationException>(() => second.Subscribe(["t"]));
        Assert.Contains("kafka://", error.Message);
    }
}
