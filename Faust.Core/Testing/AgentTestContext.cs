using System.Collections.Concurrent;
using System.Diagnostics;
using Faust.Agents;
using Faust.Processing;
using Faust.Runtime;
using Faust.Streams;
using Faust.Topics;
using Faust.Transport;
using Queues = System.Threading.Channels;

namespace Faust.Testing;

/// <summary>
/// One agent running alone, in memory, for a test: Faust's <c>agent.test_context()</c>. Create it with
/// <see cref="AgentTestExtensions.TestContextAsync{TKey, TValue}(Agent{TKey, TValue}, CancellationToken)"/> on an app that has not started.
/// </summary>
/// <remarks>
/// <para>No broker, no host, no other agent, no timer: the app's worker runs on a private in-memory broker with memory
/// stores, and <see cref="PutAsync"/> hands events straight to the agent's stream, as its source would (with the
/// key, partition, timestamp and headers given; offsets count from 0 per partition). For a
/// <see cref="AgentSource{TKey, TValue}.RepartitionBy"/> source the event arrives as the repartition topic would
/// deliver it: keyed by the new key, on that key's partition.</para>
/// <para>Tables work as in production (read them directly). Whatever the agent sends to topics (its sinks,
/// <see cref="Stream{TKey, TValue}.Echo"/>, <c>SendAsync</c>) can be read back with <see cref="SentToAsync"/>.</para>
/// <para>As with Faust's test context (which uses a crashing supervisor), an exception in the agent fails the
/// <see cref="PutAsync"/> of the event it was processing, at once: no retries, no dead letter; the agent goes on with
/// the next event.</para>
/// </remarks>
/// <typeparam name="TKey">The agent's key type.</typeparam>
/// <typeparam name="TValue">The agent's value type.</typeparam>
public class AgentTestContext<TKey, TValue> : IAsyncDisposable
{
    private static readonly IReadOnlyList<RecordHeader> NoHeaders = [];
    private readonly Agent<TKey, TValue> _agent;
    private readonly ConcurrentDictionary<(int Partition, long Offset), TaskCompletionSource<Event<TKey, TValue>>> _pending = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _putLock = new();
    private Input? _input;
    private IWorkerRuntime? _worker;
    private Task? _run;
    private long _processed;

    internal AgentTestContext(Agent<TKey, TValue> agent) => _agent = agent;

    /// <summary>The agent under test.</summary>
    public Agent<TKey, TValue> Agent => _agent;

    /// <summary>How many events the agent has acknowledged.</summary>
    public long Processed => Interlocked.Read(ref _processed);

    internal virtual async Task StartAsync(CancellationToken ct)
    {
        var worker = await _agent.App.StartForTest(ct).ConfigureAwait(false);
        _worker = worker;
        await worker.Ready.WaitAsync(ct).ConfigureAwait(false);
        var partitions = _agent.Source.SubscribedTopic is { } topic ? worker.PartitionCount(topic) : 1;
        _input = new Input(this, partitions);
        var runtime = new AgentRuntime<TKey, TValue>(_agent, worker, _input);
        _run = Task.Run(() => runtime.RunAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Hands an event to the agent (Faust's <c>put</c>) and, by default, waits until the agent has processed it.</summary>
    /// <param name="value">The value.</param>
    /// <param name="key">The key (for a repartitioned source, the new key is computed from the value instead).</param>
    /// <param name="partition">The partition; default the key's murmur2 partition (random for a null key, -1 for channels).</param>
    /// <param name="timestamp">The timestamp; default the app's clock.</param>
    /// <param name="headers">Headers.</param>
    /// <param name="wait">Wait until the agent acknowledges the event (false: return once it is queued; see <see cref="ProcessedAsync"/>).</param>
    /// <param name="ct">Cancels waiting.</param>
    /// <returns>The event as the agent got it.</returns>
    /// <exception cref="Exception">What the agent threw while processing the event.</exception>
    public async Task<Event<TKey, TValue>> PutAsync(TValue value, TKey key = default!, int? partition = null, DateTimeOffset? timestamp = null,
        IReadOnlyList<RecordHeader>? headers = null, bool wait = true, CancellationToken ct = default)
    {
        var (worker, input) = Require();
        var e = _agent.Source.TestEvent(worker, key, value, partition, 0, headers ?? NoHeaders, timestamp ?? _agent.App.Time.GetUtcNow());
        var done = new TaskCompletionSource<Event<TKey, TValue>>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_putLock)
        {
            e = e with { Offset = input.NextOffset(e.Partition) };
            _pending[(e.Partition, e.Offset)] = done;
            input.Write(e);
        }

        return wait ? await done.Task.WaitAsync(ct).ConfigureAwait(false) : e;
    }

    /// <summary>Waits until the agent has processed an event put with <c>wait: false</c>.</summary>
    /// <param name="put">The event <see cref="PutAsync"/> returned.</param>
    /// <param name="ct">Cancels waiting.</param>
    /// <exception cref="Exception">What the agent threw while processing the event.</exception>
    public Task<Event<TKey, TValue>> ProcessedAsync(Event<TKey, TValue> put, CancellationToken ct = default) =>
        _pending.TryGetValue((put.Partition, put.Offset), out var done) ? done.Task.WaitAsync(ct) : Task.FromResult(put);

    /// <summary>The records the agent (or its sinks) sent to <paramref name="topic"/> so far, in partition and offset order.</summary>
    /// <param name="topic">A topic of the agent's app.</param>
    /// <param name="ct">Cancels reading.</param>
    public async Task<IReadOnlyList<Event<TTopicKey, TTopicValue>>> SentToAsync<TTopicKey, TTopicValue>(Topic<TTopicKey, TTopicValue> topic, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var (worker, _) = Require();
        await worker.CommitAsync(ct).ConfigureAwait(false); // flushes outputs, and commits them under exactly_once
        using var consumer = worker.Transport.CreateConsumer(null);
        var partitions = worker.PartitionCount(topic.Name);
        var ends = new Dictionary<TopicPartition, long>();
        var starts = new List<KeyValuePair<TopicPartition, long>>();
        for (var p = 0; p < partitions; p++)
        {
            var tp = new TopicPartition(topic.Name, p);
            var marks = consumer.GetWatermarks(tp);
            starts.Add(new(tp, marks.Low));
            if (marks.High > marks.Low)
            {
                ends[tp] = marks.High;
            }
        }

        consumer.Assign(starts);
        var read = new List<Event<TTopicKey, TTopicValue>>();
        var watch = Stopwatch.StartNew();
        while (ends.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"Reading '{topic.Name}' back did not reach its end within 30 s.");
            }

            if (consumer.Poll(TimeSpan.FromMilliseconds(100)) is not { } batch)
            {
                continue;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                var (offset, record) = batch.Records[i];
                var key = record.Key is { } k ? topic.KeyCodec.Decode(k) : default!;
                var value = record.Value is { } v ? topic.ValueCodec.Decode(v) : default!;
                read.Add(new Event<TTopicKey, TTopicValue>(key, value, record.Headers ?? [], topic.Name, batch.Partition.Partition, offset,
                    DateTimeOffset.FromUnixTimeMilliseconds(record.TimestampMs)) { Raw = record });
            }

            if (ends.TryGetValue(batch.Partition, out var end) && batch.NextOffset >= end)
            {
                ends.Remove(batch.Partition);
            }
        }

        return [.. read.OrderBy(e => e.Partition).ThenBy(e => e.Offset)];
    }

    /// <summary>Stops the agent and the app.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _input?.Complete();
        if (_run is not null)
        {
            await _run.ConfigureAwait(false);
        }

        await _agent.App.StopWorker(CancellationToken.None).ConfigureAwait(false);
        foreach (var pending in _pending.Values)
        {
            pending.TrySetCanceled();
        }

        OnStopped();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    private protected virtual void OnStopped()
    {
    }

    private (IWorkerRuntime Worker, Input Input) Require() =>
        _worker is { } worker && _input is { } input && !_stopping.IsCancellationRequested
            ? (worker, input)
            : throw new InvalidOperationException("The test context is not running.");

    private void OnAcked(in Event<TKey, TValue> processed)
    {
        if (_pending.TryRemove((processed.Partition, processed.Offset), out var done))
        {
            Interlocked.Increment(ref _processed);
            done.TrySetResult(processed);
        }
    }

    private void OnFailed(IReadOnlyList<Event<TKey, TValue>> inFlight, Exception error)
    {
        foreach (var failed in inFlight)
        {
            if (_pending.TryRemove((failed.Partition, failed.Offset), out var done))
            {
                done.TrySetException(error);
            }
        }
    }

    // The harness: events come from PutAsync (per partition when partitions are isolated); failures go to the test.
    private sealed class Input : AgentInput<TKey, TValue>, IAgentHarness<TKey, TValue>
    {
        private readonly AgentTestContext<TKey, TValue> _owner;
        private readonly Queues.Channel<Event<TKey, TValue>> _all = Queues.Channel.CreateUnbounded<Event<TKey, TValue>>();
        private readonly Queues.Channel<Event<TKey, TValue>>[] _partitions;
        private readonly long[] _offsets;
        private readonly bool _isolated;

        public Input(AgentTestContext<TKey, TValue> owner, int partitions)
        {
            _owner = owner;
            _isolated = owner._agent.Options.IsolatedPartitions;
            _offsets = new long[partitions + 1];
            _partitions = new Queues.Channel<Event<TKey, TValue>>[partitions];
            for (var p = 0; p < partitions; p++)
            {
                _partitions[p] = Queues.Channel.CreateUnbounded<Event<TKey, TValue>>();
            }
        }

        AgentInput<TKey, TValue> IAgentHarness<TKey, TValue>.Input => this;

        public long NextOffset(int partition) => _offsets[partition + 1]++;

        public void Write(in Event<TKey, TValue> e) => (_isolated ? _partitions[e.Partition] : _all).Writer.TryWrite(e);

        public void Complete()
        {
            _all.Writer.TryComplete();
            foreach (var partition in _partitions)
            {
                partition.Writer.TryComplete();
            }
        }

        public override IEventReader<TKey, TValue> Open() => new Reader(this, _all);

        public override IEventReader<TKey, TValue> OpenPartition(int partition, out object generation)
        {
            generation = _partitions[partition];
            return new Reader(this, _partitions[partition]);
        }

        public override object? GenerationOf(int partition) => _partitions[partition];

        public override IReadOnlyList<int> WatchAssignment(Action<int, bool> changed) => [.. Enumerable.Range(0, _partitions.Length)];

        public void OnFailed(IReadOnlyList<Event<TKey, TValue>> inFlight, Exception error) => _owner.OnFailed(inFlight, error);

        private sealed class Reader(Input input, Queues.Channel<Event<TKey, TValue>> events) : IEventReader<TKey, TValue>
        {
            public bool TryRead(out Event<TKey, TValue> next) => events.Reader.TryRead(out next);

            public ValueTask<bool> WaitToReadAsync(CancellationToken ct) => events.Reader.WaitToReadAsync(ct);

            public void Ack(in Event<TKey, TValue> processed) => input._owner.OnAcked(processed);
        }
    }
}

/// <summary>The test context of an agent that yields results: also records what it yielded, per event.</summary>
/// <typeparam name="TKey">The agent's key type.</typeparam>
/// <typeparam name="TValue">The agent's value type.</typeparam>
/// <typeparam name="TResult">The agent's result type.</typeparam>
public sealed class AgentTestContext<TKey, TValue, TResult> : AgentTestContext<TKey, TValue>
{
    private readonly Agent<TKey, TValue, TResult> _agent;
    private readonly List<(int Partition, long Offset, TResult Result)> _results = [];
    private readonly AgentSink<TResult> _recorder;

    internal AgentTestContext(Agent<TKey, TValue, TResult> agent) : base(agent)
    {
        _agent = agent;
        _recorder = new AgentSink<TResult>.ToCallback(Record);
    }

    /// <summary>Everything the agent yielded, in order.</summary>
    public IReadOnlyList<TResult> Results
    {
        get
        {
            lock (_results)
            {
                return [.. _results.Select(r => r.Result)];
            }
        }
    }

    /// <summary>What the agent yielded while it held <paramref name="put"/>.</summary>
    /// <param name="put">An event <see cref="AgentTestContext{TKey, TValue}.PutAsync"/> returned.</param>
    public IReadOnlyList<TResult> ResultsOf(Event<TKey, TValue> put)
    {
        lock (_results)
        {
            return [.. _results.Where(r => r.Partition == put.Partition && r.Offset == put.Offset).Select(r => r.Result)];
        }
    }

    internal override Task StartAsync(CancellationToken ct)
    {
        _agent.Add(_recorder);
        return base.StartAsync(ct);
    }

    private protected override void OnStopped() => _agent.RemoveSink(_recorder);

    private Task Record(TResult result)
    {
        var context = StreamContext.Current;
        lock (_results)
        {
            _results.Add((context?.Partition ?? -1, context?.Offset ?? -1, result));
        }

        return Task.CompletedTask;
    }
}
