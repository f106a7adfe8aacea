using System.Text.Json;
using Faust.Agents;
using Faust.Processing;
using Faust.Routing;
using Faust.Runtime;
using Faust.Serialization;
using Faust.Streams;
using Faust.Transport;

namespace Faust.Topics;

/// <summary>A Kafka topic with typed keys and values: agents read it, and anyone can send to it.</summary>
/// <remarks>
/// <para>Keys and values are encoded by their codecs (see <see cref="Serialization.Schema{TKey, TValue}"/>): by default
/// <c>string</c> as raw UTF-8, <c>byte[]</c> raw, anything else as Faust's JSON (records with the <c>__faust</c>
/// envelope, see <see cref="FaustJsonOptions"/>). A record sent without an explicit partition goes to Kafka's murmur2 partition of
/// its encoded key (a null key is spread at random), the same partition Kafka's Java client and librdkafka pick.</para>
/// <para><see cref="SendAsync"/> is thread safe. Records sent to one partition from one caller keep their order.</para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class Topic<TKey, TValue> : AgentSource<TKey, TValue>, ITopicView, IEchoTarget<TKey, TValue>
{
    private DecodeErrorPolicy _onDecodeError;

    internal Topic(AppRuntime app, string name, int? partitions, Schema<TKey, TValue> schema, bool isInternal)
        : base(app, name)
    {
        DeclaredPartitions = CheckPartitions(partitions);
        Schema = schema;
        (KeyCodec, ValueCodec) = schema.Resolve(app.Codecs);
        IsInternal = isInternal;
    }

    // An internal topic named after the app id (repartition), resolved once the app starts.
    internal Topic(AppRuntime app, Func<string> name, int? partitions, Schema<TKey, TValue> schema)
        : base(app, name)
    {
        DeclaredPartitions = CheckPartitions(partitions);
        Schema = schema;
        (KeyCodec, ValueCodec) = schema.Resolve(app.Codecs);
        IsInternal = true;
    }

    private static int? CheckPartitions(int? partitions) => partitions is < 1
        ? throw new ArgumentOutOfRangeException(nameof(partitions), partitions, "A topic needs at least one partition.")
        : partitions;

    /// <summary>The schema the topic was declared with (codecs, codec names, header hooks).</summary>
    public Schema<TKey, TValue> Schema { get; }

    /// <summary>What an agent reading this topic does with a record that cannot be decoded; default
    /// <see cref="DecodeErrorPolicy.DeadLetter"/>. Set it before the app starts.</summary>
    /// <exception cref="InvalidOperationException">Set after the app has started.</exception>
    public DecodeErrorPolicy OnDecodeError
    {
        get => _onDecodeError;
        set
        {
            if (App.IsRunning)
            {
                throw new InvalidOperationException("Set OnDecodeError before the app starts.");
            }

            _onDecodeError = value;
        }
    }

    /// <summary>The partition count given when the topic was declared, or null for the app's <c>TopicPartitions</c>.</summary>
    public int? DeclaredPartitions { get; }

    /// <summary>The partition count the topic has on the broker (known once the app has started).</summary>
    public int Partitions => App.Topics.PartitionCount(Name);

    /// <summary>Encodes keys.</summary>
    public ICodec<TKey> KeyCodec { get; }

    /// <summary>Encodes values.</summary>
    public ICodec<TValue> ValueCodec { get; }

    /// <summary>True for topics the app owns (changelogs and the like); they are not open to HTTP produce.</summary>
    public bool IsInternal { get; }

    internal override string? SubscribedTopic => Name;

    /// <summary>Sends a record.</summary>
    /// <param name="key">The key; it picks the partition unless <paramref name="partition"/> is given.</param>
    /// <param name="value">The value; null sends a tombstone.</param>
    /// <param name="partition">An explicit partition.</param>
    /// <param name="headers">Headers to attach.</param>
    /// <param name="timestamp">The record's timestamp; default now.</param>
    /// <param name="ct">Cancels waiting for the acknowledgement (not the write).</param>
    /// <returns>Where the record landed, once it is durable. Sent from an agent under <c>exactly_once</c>, the
    /// record is part of the worker's transaction: the task completes when it is buffered and the offset is -1.</returns>
    public Task<DeliveryResult> SendAsync(TKey key, TValue value, int? partition = null, IReadOnlyList<RecordHeader>? headers = null,
        DateTimeOffset? timestamp = null, CancellationToken ct = default)
    {
        var worker = App.Worker;
        var keyBytes = key is null ? null : KeyCodec.Encode(key);
        var valueBytes = value is null ? null : ValueCodec.Encode(value);
        var partitions = worker.PartitionCount(Name);
        if (partition is { } explicitPartition && (explicitPartition < 0 || explicitPartition >= partitions))
        {
            throw new ArgumentOutOfRangeException(nameof(partition), partition, $"Topic '{Name}' has {partitions} partitions.");
        }

        var target = partition ?? Partitioner.Default.PartitionFor(keyBytes, partitions);
        App.Monitor.OnSent(Name, target);
        var record = new TransportRecord(keyBytes, valueBytes, headers,
            (timestamp ?? worker.Time.GetUtcNow()).ToUnixTimeMilliseconds());
        return worker.ProduceAsync(new TopicPartition(Name, target), record, ct);
    }

    internal override void CollectStreamTopics(List<string> topics) => topics.Add(Name);

    internal override IEventReader<TKey, TValue> CreateReader(IWorkerRuntime worker, string agent, int? partition)
    {
        var inbox = worker.InboxOf(agent, Name);
        return new TopicEventReader<TKey, TValue>(partition is { } p ? inbox.PartitionView(p) : inbox,
            new EventDecoder<TKey, TValue>(KeyCodec, ValueCodec, Schema.KeyDecoderFromHeaders, Schema.ValueDecoderFromHeaders),
            OnDecodeError, worker.DeadLetters, worker.Logger);
    }

    internal override Task SendEventAsync(TKey key, TValue value, int? partition, IReadOnlyList<RecordHeader>? headers, DateTimeOffset? timestamp, CancellationToken ct) =>
        SendAsync(key, value, partition, headers, timestamp, ct);

    internal override ValueTask SendValueAsync(TValue value, CancellationToken ct)
    {
        var worker = App.Worker;
        var valueBytes = value is null ? null : ValueCodec.Encode(value);
        var partition = Partitioner.Default.PartitionFor((byte[]?)null, worker.PartitionCount(Name));
        worker.Produce(new TopicPartition(Name, partition), new TransportRecord(null, valueBytes, null, worker.Time.GetUtcNow().ToUnixTimeMilliseconds()));
        return ValueTask.CompletedTask;
    }

    /// <summary>Queues a copy of an event under <paramref name="key"/> (headers and timestamp kept), on the murmur2
    /// partition of the key. The value's bytes are reused when they were read with this topic's value codec.
    /// Durable before the next commit (the commit flushes the producer first).</summary>
    internal void Forward<TSourceKey>(in Event<TSourceKey, TValue> source, TKey key, ICodec<TValue>? sourceValueCodec = null)
    {
        var worker = App.Worker;
        var keyBytes = key is null ? null : KeyCodec.Encode(key);
        var valueBytes = source.Raw is { } raw && ReferenceEquals(sourceValueCodec, ValueCodec)
            ? raw.Value
            : source.Value is null ? null : ValueCodec.Encode(source.Value);
        var partition = Partitioner.Default.PartitionFor(keyBytes, worker.PartitionCount(Name));
        var headers = source.Headers.Count == 0 ? null : source.Headers;
        worker.Produce(new TopicPartition(Name, partition), new TransportRecord(keyBytes, valueBytes, headers, source.Timestamp.ToUnixTimeMilliseconds()));
    }

    void IEchoTarget<TKey, TValue>.Echo(in Event<TKey, TValue> source) => Forward(source, source.Key);

    internal override TransportRecord ToRecord(in Event<TKey, TValue> failed) =>
        failed.Raw ?? new TransportRecord(failed.Key is null ? null : KeyCodec.Encode(failed.Key), failed.Value is null ? null : ValueCodec.Encode(failed.Value),
            failed.Headers.Count == 0 ? null : failed.Headers, failed.Timestamp.ToUnixTimeMilliseconds());

    internal override Event<TKey, TValue> TestEvent(IWorkerRuntime worker, TKey key, TValue value, int? partition, long offset,
        IReadOnlyList<RecordHeader> headers, DateTimeOffset timestamp)
    {
        var keyBytes = key is null ? null : KeyCodec.Encode(key);
        var partitions = worker.PartitionCount(Name);
        var target = partition ?? Partitioner.Default.PartitionFor(keyBytes, partitions);
        if (target < 0 || target >= partitions)
        {
            throw new ArgumentOutOfRangeException(nameof(partition), partition, $"Topic '{Name}' has {partitions} partitions.");
        }

        var raw = new TransportRecord(keyBytes, value is null ? null : ValueCodec.Encode(value), headers.Count == 0 ? null : headers, timestamp.ToUnixTimeMilliseconds());
        return new Event<TKey, TValue>(key, value, headers, Name, target, offset, timestamp) { Raw = raw };
    }

    internal override ICodec<TValue>? ValueCodecOrNull => ValueCodec;

    private protected override int? DeclaredPartitionsOrNull => DeclaredPartitions;

    Type ITopicView.KeyType => typeof(TKey);

    Type ITopicView.ValueType => typeof(TValue);

    DecodeErrorPolicy ITopicView.DecodeErrorPolicy => OnDecodeError;

    async Task<DeliveryResult> ITopicView.SendJsonAsync(JsonElement? key, JsonElement value, CancellationToken ct)
    {
        var typedKey = JsonInput.Read(key, "key", KeyCodec);
        var typedValue = JsonInput.Read(value, "value", ValueCodec);
        return await SendAsync(typedKey, typedValue, ct: ct).ConfigureAwait(false);
    }
}
