using System.Buffers;
using System.Text.Json;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Cluster;

// Who owns what, across the workers of one app (DESIGN decision 4).
//
// Every worker publishes its assignment {worker id, URL, generation, actives, standbys} as JSON to the compacted,
// one-partition topic `{group}-__assignor`, keyed by worker id, whenever it changes, and a tombstone when it stops
// cleanly. Every worker reads that topic from the start with a groupless consumer on a thread of its own, and
// replaces its ClusterSnapshot as a whole after each change (one Volatile.Write; readers never lock).
//
// A worker that crashes leaves no tombstone, and its record would claim its old partitions for ever; every worker
// therefore republishes its record every Heartbeat, and a record not refreshed for three heartbeats (on the
// reader's own clock, so clocks of different machines never meet) is dropped from the view. Until then its claims
// only make partitions contested (unknown), never wrongly owned.
//
// Publishing never blocks: it may run on the poll thread inside a rebalance callback. Publishes are serialized
// under a lock, so records leave in generation order; after LeaveAsync nothing more is published.
internal sealed partial class ClusterView : IAsyncDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private readonly ITransport _transport;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _heartbeat;
    private readonly object _publishLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, (WorkerAssignment Assignment, long ReceivedAt)> _records = new(StringComparer.Ordinal);
    private ITransportProducer? _producer;
    private ITimer? _heartbeatTimer;
    private Thread? _reader;
    private ClusterSnapshot _current = ClusterSnapshot.Empty;
    private WorkerAssignment _mine;
    private readonly Action<DeliveryResult, Exception?> _onDelivered;
    private bool _left;

    public ClusterView(ITransport transport, string topic, string workerId, string? url, TimeSpan heartbeat, ILogger logger, TimeProvider time)
    {
        _transport = transport;
        Topic = topic;
        _heartbeat = heartbeat;
        _logger = logger;
        _time = time;
        _mine = new WorkerAssignment(workerId, url, 0, [], []);
        _onDelivered = (_, error) =>
        {
            if (error is not null)
            {
                LogPublishFailed(_logger, error, Topic);
            }
        };
    }

    /// <summary>The assignor topic: <c>{group}-__assignor</c>.</summary>
    public string Topic { get; }

    public string WorkerId => _mine.WorkerId;

    /// <summary>The latest snapshot. Lock-free.</summary>
    public ClusterSnapshot Current => Volatile.Read(ref _current);

    /// <summary>What this worker published last.</summary>
    public WorkerAssignment Mine
    {
        get
        {
            lock (_publishLock)
            {
                return _mine;
            }
        }
    }

    /// <summary>Raised on the reader thread after each new snapshot.</summary>
    public event EventHandler<ClusterSnapshot>? Changed;

    public static string TopicOf(string groupId) => $"{groupId}-__assignor";

    /// <summary>Starts reading the topic from its beginning and publishing through <paramref name="producer"/>.</summary>
    public void Start(ITransportProducer producer)
    {
        _producer = producer;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"faust-cluster {Topic}" };
        _reader.Start();
        _heartbeatTimer = _time.CreateTimer(_ => Republish(), null, _heartbeat, _heartbeat);
    }

    public void PublishActives(IEnumerable<TopicPartition> actives) => Update(mine => mine with { Actives = Sorted(actives) });

    public void PublishStandbys(IEnumerable<TopicPartition> standbys) => Update(mine => mine with { Standbys = Sorted(standbys) });

    public void PublishUrl(string? url) => Update(mine => mine with { Url = url });

    private void Update(Func<WorkerAssignment, WorkerAssignment> change)
    {
        lock (_publishLock)
        {
            var next = change(_mine);
            if (next.SameContent(_mine))
            {
                return;
            }

            _mine = next with { Generation = _mine.Generation + 1 };
            Send(_mine);
        }
    }

    private void Republish()
    {
        lock (_publishLock)
        {
            if (_mine.Generation > 0)
            {
                Send(_mine);
            }
        }
    }

    // Under _publishLock.
    private void Send(WorkerAssignment? assignment)
    {
        if (_left || _producer is not { } producer)
        {
            return;
        }

        var record = new TransportRecord(System.Text.Encoding.UTF8.GetBytes(_mine.WorkerId), assignment is null ? null : Encode(assignment), null,
            _time.GetUtcNow().ToUnixTimeMilliseconds());
        try
        {
            producer.Produce(new TopicPartition(Topic, 0), record, _onDelivered);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A closed producer at shutdown, or a full queue: the next change or heartbeat publishes again.
            LogPublishFailed(_logger, ex, Topic);
        }
    }

    /// <summary>Publishes a tombstone (a clean shutdown) and waits until it is durable; publishes nothing after.</summary>
    public async Task LeaveAsync(CancellationToken ct = default)
    {
        ITransportProducer? producer;
        lock (_publishLock)
        {
            if (_left)
            {
                return;
            }

            Send(null);
            _left = true;
            producer = _producer;
        }

        if (producer is not null)
        {
            try
            {
                await producer.FlushAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPublishFailed(_logger, ex, Topic);
            }
        }
    }

    // ---- reading ----

    private void ReadLoop()
    {
        ITransportConsumer? consumer = null;
        var lastExpiry = _time.GetTimestamp();
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                if (consumer is null)
                {
                    consumer = _transport.CreateConsumer(groupId: null);
                    var tp = new TopicPartition(Topic, 0);
                    consumer.Assign([new KeyValuePair<TopicPartition, long>(tp, Math.Max(0, consumer.GetWatermarks(tp).Low))]);
                }

                var changed = false;
                var batch = consumer.Poll(PollTimeout);
                if (batch is not null)
                {
                    var now = _time.GetTimestamp();
                    for (var i = 0; i < batch.Count; i++)
                    {
                        changed |= Apply(batch.Records[i].Record, now);
                    }
                }

                if (_time.GetElapsedTime(lastExpiry) >= PollTimeout)
                {
                    changed |= Expire();
                    lastExpiry = _time.GetTimestamp();
                }

                if (changed)
                {
                    Publish();
                }
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                // A broker hiccup: read the topic again from the start (records are idempotent per worker id).
                LogReaderFailed(_logger, ex, Topic);
                consumer?.Dispose();
                consumer = null;
                _stopping.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(500));
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                break;
            }
        }

        consumer?.Dispose();
    }

    // True when the view changed: a new worker, a tombstone, or a record whose content differs from the last one.
    private bool Apply(TransportRecord record, long now)
    {
        if (record.Key is not { Length: > 0 } key)
        {
            return false;
        }

        var workerId = System.Text.Encoding.UTF8.GetString(key);
        if (record.Value is null)
        {
            return _records.Remove(workerId);
        }

        WorkerAssignment assignment;
        try
        {
            assignment = Decode(workerId, record.Value);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            LogBadRecord(_logger, ex, Topic, workerId);
            return false;
        }

        var known = _records.TryGetValue(workerId, out var previous);
        _records[workerId] = (assignment, now);
        return !known || previous.Assignment.Generation != assignment.Generation || !previous.Assignment.SameContent(assignment);
    }

    private bool Expire()
    {
        List<string>? expired = null;
        var limit = _heartbeat * 3;
        foreach (var (id, (assignment, receivedAt)) in _records)
        {
            if (_time.GetElapsedTime(receivedAt) > limit)
            {
                (expired ??= []).Add(id);
                LogExpired(_logger, id, assignment.Url, limit.TotalSeconds);
            }
        }

        if (expired is null)
        {
            return false;
        }

        foreach (var id in expired)
        {
            _records.Remove(id);
        }

        return true;
    }

    private void Publish()
    {
        var next = new ClusterSnapshot(Current.Generation + 1, _records.Values.Select(r => r.Assignment));
        Volatile.Write(ref _current, next);
        LogViewChanged(_logger, next.Generation, next.Workers.Count);
        try
        {
            Changed?.Invoke(this, next);
        }
        catch (Exception ex)
        {
            LogHandlerFailed(_logger, ex);
        }
    }

    // ---- wire format ----
    // {"worker_id": "w1", "url": "http://host:6066", "generation": 3,
    //  "actives": {"clicks": [0, 1]}, "standbys": {"app-counts-changelog": [2]}}  (the shape of GET /assignment/)

    internal static byte[] Encode(WorkerAssignment assignment)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("worker_id", assignment.WorkerId);
            if (assignment.Url is null)
            {
                json.WriteNull("url");
            }
            else
            {
                json.WriteString("url", assignment.Url);
            }

            json.WriteNumber("generation", assignment.Generation);
            WritePartitions(json, "actives", assignment.Actives);
            WritePartitions(json, "standbys", assignment.Standbys);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WritePartitions(Utf8JsonWriter json, string name, IReadOnlyList<TopicPartition> partitions)
    {
        json.WriteStartObject(name);
        string? topic = null;
        foreach (var tp in partitions)
        {
            if (tp.Topic != topic)
            {
                if (topic is not null)
                {
                    json.WriteEndArray();
                }

                topic = tp.Topic;
                json.WriteStartArray(topic);
            }

            json.WriteNumberValue(tp.Partition);
        }

        if (topic is not null)
        {
            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    internal static WorkerAssignment Decode(string workerId, byte[] value)
    {
        using var document = JsonDocument.Parse(value);
        var root = document.RootElement;
        var url = root.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
        return new WorkerAssignment(workerId, url, root.GetProperty("generation").GetInt64(),
            ReadPartitions(root, "actives"), ReadPartitions(root, "standbys"));
    }

    private static TopicPartition[] ReadPartitions(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var map) || map.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        var result = new List<TopicPartition>();
        foreach (var topic in map.EnumerateObject())
        {
            foreach (var partition in topic.Value.EnumerateArray())
            {
                result.Add(new TopicPartition(topic.Name, partition.GetInt32()));
            }
        }

        return Sorted(result);
    }

    private static TopicPartition[] Sorted(IEnumerable<TopicPartition> partitions) =>
        [.. partitions.Distinct().OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition)];

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_heartbeatTimer is not null)
        {
            await _heartbeatTimer.DisposeAsync().ConfigureAwait(false);
        }

        _reader?.Join();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing this worker's assignment to {Topic} failed; the next change or heartbeat publishes it again.")]
    private static partial void LogPublishFailed(ILogger logger, Exception ex, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading the cluster's assignments from {Topic} failed; reading it again.")]
    private static partial void LogReaderFailed(ILogger logger, Exception ex, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The record of worker {WorkerId} in {Topic} is not a valid assignment; it is ignored.")]
    private static partial void LogBadRecord(ILogger logger, Exception ex, string topic, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} ({Url}) has not republished its assignment for {Seconds} s; it is dropped from the cluster view.")]
    private static partial void LogExpired(ILogger logger, string workerId, string? url, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cluster view generation {Generation}: {Workers} workers.")]
    private static partial void LogViewChanged(ILogger logger, long generation, int workers);

    [LoggerMessage(Level = LogLevel.Error, Message = "A handler of the cluster view's Changed event failed.")]
    private static partial void LogHandlerFailed(ILogger logger, Exception ex);
}
