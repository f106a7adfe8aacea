using System.Text;
using Faust.App;
using Faust.Processing;
using Faust.Runtime;
using Faust.Serialization;
using Faust.Topics;
using Faust.Transport;

namespace Faust.Core.Tests.Engine;

public sealed class DeadLetterTests
{
    private static FaustApp NewApp(string guarantee = "at_least_once") => new(new FaustOptions
    {
        Id = "dlq-app",
        Broker = "memory://",
        CommitInterval = TimeSpan.FromMilliseconds(50),
        ProcessingGuarantee = guarantee,
    });

    public sealed record Reading(string Sensor, decimal Celsius);

    [Theory]
    [InlineData("at_least_once")]
    [InlineData("exactly_once")]
    public async Task UndecodableValue_GoesToTheAgentsDeadLetterTopic_WithErrorHeaders_AndTheAgentGoesOn(string guarantee)
    {
        await using var app = NewApp(guarantee);
        var readings = app.Topic<string, Reading>("readings", partitions: 4);
        var seen = new List<Reading>();
        app.Agent(readings, async (stream, ct) =>
        {
            await foreach (var r in stream.WithCancellation(ct))
            {
                lock (seen)
                {
                    seen.Add(r);
                }
            }
        }, name: "record_reading");
        await app.StartAsync();
        var bad = new TransportRecord("s-1"u8.ToArray(), "{\"sensor\": \"s-1\", \"celsius\": \"warm\"}"u8.ToArray(),
            [new RecordHeader("trace", [7])], 1_700_000_000_000);
        await ProduceRawAsync(app, new TopicPartition("readings", 2), bad);
        await readings.SendAsync("s-1", new Reading("s-1", 21.5m), partition: 2);

        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == 1; } }, "the good reading after the bad one");
        await Eventually.TrueAsync(async () =>
        {
            await app.CommitAsync();
            return app.Worker!.CommittedOffset(new TopicPartition("readings", 2)) == 2;
        }, "the commit to pass both records");

        var letters = await ReadAllAsync(app, "dlq-app-record_reading-dlq", 1);
        var (partition, letter) = Assert.Single(letters);
        Assert.Equal(2, partition);
        Assert.Equal(bad.Key, letter.Key);
        Assert.Equal(bad.Value, letter.Value);
        Assert.Equal(bad.TimestampMs, letter.TimestampMs);
        var headers = letter.Headers!;
        Assert.Equal("trace", headers[0].Key);
        Assert.Equal([7], headers[0].Value);
        Assert.Equal("readings", Header(headers, DeadLetterHeaders.Topic));
        Assert.Equal("2", Header(headers, DeadLetterHeaders.Partition));
        Assert.Equal("0", Header(headers, DeadLetterHeaders.Offset));
        Assert.Equal("record_reading", Header(headers, DeadLetterHeaders.Agent));
        Assert.Equal(DeadLetterHeaders.StageValue, Header(headers, DeadLetterHeaders.Stage));
        Assert.Equal(typeof(CodecException).FullName, Header(headers, DeadLetterHeaders.ExceptionType));
        Assert.Contains("'warm' is not a decimal number", Header(headers, DeadLetterHeaders.ExceptionMessage), StringComparison.Ordinal);
        Assert.Equal(1, app.Worker!.DeadLetters!.Sent);
    }

    [Fact]
    public async Task UndecodableKey_IsDeadLetteredAsAKeyError()
    {
        await using var app = NewApp();
        var topic = app.Topic<int, string>("by-number", partitions: 1);
        var seen = 0;
        app.Agent(topic, async (stream, ct) =>
        {
            await foreach (var _ in stream.WithCancellation(ct))
            {
                Interlocked.Increment(ref seen);
            }
        }, name: "numbers");
        await app.StartAsync();
        await ProduceRawAsync(app, new TopicPartition("by-number", 0), new TransportRecord("forty-two"u8.ToArray(), "v"u8.ToArray(), null, 0));
        await topic.SendAsync(42, "v");

        await Eventually.TrueAsync(() => Volatile.Read(ref seen) == 1, "the good record");
        var letter = Assert.Single(await ReadAllAsync(app, "dlq-app-numbers-dlq", 1)).Record;
        Assert.Equal(DeadLetterHeaders.StageKey, Header(letter.Headers!, DeadLetterHeaders.Stage));
    }

    [Fact]
    public async Task SkipPolicy_SkipsAndCounts_WithoutADeadLetterTopic()
    {
        await using var app = NewApp();
        var readings = app.Topic<string, Reading>("skipped-readings", partitions: 1);
        readings.OnDecodeError = DecodeErrorPolicy.Skip;
        var seen = 0;
        app.Agent(readings, async (stream, ct) =>
        {
            await foreach (var _ in stream.WithCancellation(ct))
            {
                Interlocked.Increment(ref seen);
            }
        }, name: "skipper", options: new Faust.Agents.AgentOptions { OnFailedEvent = Faust.Agents.FailedEventAction.Skip }); // no dead letters at all
        await app.StartAsync();
        await ProduceRawAsync(app, new TopicPartition("skipped-readings", 0), new TransportRecord(null, "not json"u8.ToArray(), null, 0));
        await readings.SendAsync("s", new Reading("s", 1));

        await Eventually.TrueAsync(() => Volatile.Read(ref seen) == 1, "the good reading");
        await Eventually.TrueAsync(async () =>
        {
            await app.CommitAsync();
            return app.Worker!.CommittedOffset(new TopicPartition("skipped-readings", 0)) == 2;
        }, "the commit to pass the skipped record");
        Assert.Null(app.Worker!.Transport.GetPartitionCount("dlq-app-skipper-dlq"));
        Assert.Null(app.Worker.DeadLetters!.TopicOf("skipper"));
        Assert.Throws<InvalidOperationException>(() => readings.OnDecodeError = DecodeErrorPolicy.DeadLetter);
    }

    [Fact]
    public async Task InvalidRecord_WithValidationOn_IsADecodeError()
    {
        await using var app = NewApp();
        var payments = app.Topic("payments", new Schema<string, Core.Tests.Serialization.Payment>
        {
            ValueCodec = Codecs.Record<Core.Tests.Serialization.Payment>(new FaustJsonOptions { Validation = true }),
        }, partitions: 1);
        var seen = new List<decimal>();
        app.Agent(payments, async (stream, ct) =>
        {
            await foreach (var p in stream.WithCancellation(ct))
            {
                lock (seen)
                {
                    seen.Add(p.Amount);
                }
            }
        }, name: "pay");
        await app.StartAsync();
        await ProduceRawAsync(app, new TopicPartition("payments", 0), new TransportRecord(null, "{\"account\": \"acc-1\", \"amount\": \"-3\"}"u8.ToArray(), null, 0));
        await payments.SendAsync("acc-1", new Core.Tests.Serialization.Payment("acc-1", 3));

        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == 1; } }, "the valid payment");
        Assert.Equal([3m], seen);
        var letter = Assert.Single(await ReadAllAsync(app, "dlq-app-pay-dlq", 1)).Record;
        Assert.Contains("amount:", Header(letter.Headers!, DeadLetterHeaders.ExceptionMessage), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CodecThatThrowsAnythingElse_IsStillADecodeError_NotAnAgentCrash()
    {
        await using var app = NewApp();
        var topic = app.Topic("fragile", new Schema<string, string> { ValueCodec = new Fragile() }, partitions: 1);
        var seen = new List<string>();
        var agent = app.Agent(topic, async (stream, ct) =>
        {
            await foreach (var v in stream.WithCancellation(ct))
            {
                lock (seen)
                {
                    seen.Add(v);
                }
            }
        }, name: "fragile_agent");
        await app.StartAsync();
        await topic.SendAsync("k", "boom");
        await topic.SendAsync("k", "fine");

        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == 1; } }, "the record after the one the codec failed on");
        Assert.Equal(["fine"], seen);
        Assert.Equal(0, agent.Crashes);
        var letter = Assert.Single(await ReadAllAsync(app, "dlq-app-fragile_agent-dlq", 1)).Record;
        Assert.Equal(typeof(NullReferenceException).FullName, Header(letter.Headers!, DeadLetterHeaders.ExceptionType));
    }

    [Fact]
    public async Task SchemaHeaderHook_PicksTheDecoderPerRecord()
    {
        await using var app = NewApp();
        var base64 = app.Codecs.Get<Reading>("json|binary");
        var readings = app.Topic("mixed-readings", new Schema<string, Reading>
        {
            ValueDecoderFromHeaders = headers => headers.Any(h => h.Key == "content-encoding" && h.Value.AsSpan().SequenceEqual("base64"u8)) ? base64 : null,
        }, partitions: 1);
        var seen = new List<Reading>();
        app.Agent(readings, async (stream, ct) =>
        {
            await foreach (var r in stream.WithCancellation(ct))
            {
                lock (seen)
                {
                    seen.Add(r);
                }
            }
        }, name: "mixed");
        await app.StartAsync();
        await readings.SendAsync("a", new Reading("a", 1));
        await ProduceRawAsync(app, new TopicPartition("mixed-readings", 0),
            new TransportRecord(null, base64.Encode(new Reading("b", 2)), [new RecordHeader("content-encoding", "base64"u8.ToArray())], 0));

        await Eventually.TrueAsync(() => { lock (seen) { return seen.Count == 2; } }, "both readings");
        Assert.Equal([new Reading("a", 1), new Reading("b", 2)], seen);
    }

    private static async Task ProduceRawAsync(FaustApp app, TopicPartition tp, TransportRecord record)
    {
        using var producer = app.Worker!.Transport.CreateProducer();
        await producer.ProduceAsync(tp, record);
    }

    private static string Header(IReadOnlyList<RecordHeader> headers, string name) =>
        Encoding.UTF8.GetString(headers.Single(h => h.Key == name).Value);

    private static async Task<List<(int Partition, TransportRecord Record)>> ReadAllAsync(FaustApp app, string topic, int expected)
    {
        var transport = app.Worker!.Transport;
        var partitions = transport.GetPartitionCount(topic) ?? throw new InvalidOperationException($"Topic '{topic}' was not declared.");
        using var consumer = transport.CreateConsumer(null);
        consumer.Assign([.. Enumerable.Range(0, partitions).Select(p => new KeyValuePair<TopicPartition, long>(new TopicPartition(topic, p), 0))]);
        var found = new List<(int, TransportRecord)>();
        await Eventually.TrueAsync(() =>
        {
            if (consumer.Poll(TimeSpan.FromMilliseconds(20)) is { } batch)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    found.Add((batch.Partition.Partition, batch.Records[i].Record));
                }
            }

            return found.Count >= expected;
        }, $"{expected} records in {topic}");
        return found;
    }

    private sealed class Fragile : ICodec<string>
    {
        public byte[]? Encode(string value) => Encoding.UTF8.GetBytes(value);

        public string Decode(ReadOnlySpan<byte> data) =>
            data.SequenceEqual("boom"u8) ? throw new NullReferenceException("a codec bug") : Encoding.UTF8.GetString(data);
    }
}
