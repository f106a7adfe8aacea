using Faust.App;
using Faust.Diagnostics;
using Faust.Runtime;
using Faust.Streams;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Processing;

// The worker's producers: every record it writes (topic sends, forwards, sinks, dead letters, changelog records,
// replies) goes through here. At least once: one producer; the commit drains the changelog buffer into it and flushes
// it before it commits offsets, so the effects of an acknowledged event are durable first. Exactly once: what an
// agent writes while it processes an event (StreamContext.Current is set) joins the worker's transaction, which the
// commit ends with the offsets; replies and writes from outside an agent never do (an asker must not wait for a commit).
internal sealed partial class WorkerProducers(ITransport transport, FaustOptions options, TimeProvider time, FaustMonitor monitor, TopicCatalog topics,
    ILogger logger, Action<Exception> fail) : IRecordSink, IChangelogSink, IDisposable
{
    private readonly ChangelogBuffer? _changelogBuffer = options.ChangelogBufferSize > 0 ? new ChangelogBuffer(options.ChangelogBufferSize) : null;
    private ITransportProducer? _producer;
    private ITransportProducer? _transactional;
    private Action<DeliveryResult, Exception?>? _onChangelogDelivered;
    private Action<DeliveryResult, Exception?>? _onOutputDelivered;
    private Action<DeliveryResult, Exception?>? _onReplyDelivered;

    /// <summary>The producer outside any transaction.</summary>
    public ITransportProducer Plain => _producer ?? throw new InvalidOperationException("The worker has not started.");

    /// <summary>The transactional producer under exactly_once, else null.</summary>
    public ITransportProducer? Transactional => _transactional;

    /// <summary>Creates the producers; under exactly_once, begins the first transaction.</summary>
    public void Start(bool exactlyOnce)
    {
        _producer = transport.CreateProducer();
        if (exactlyOnce)
        {
            _transactional = transport.CreateProducer(transactional: true);
            _transactional.BeginTransaction();
        }
    }

    public Task<DeliveryResult> ProduceAsync(TopicPartition tp, TransportRecord record, CancellationToken ct) =>
        ForCaller().ProduceAsync(tp, record, ct);

    public void Produce(TopicPartition tp, TransportRecord record) =>
        ForCaller().Produce(tp, record, _onOutputDelivered ??= OnOutputDelivered);

    // A reply that cannot be written (the asker's topic is gone) is logged; the asker times out.
    public void ProduceReply(TopicPartition tp, TransportRecord record)
    {
        try
        {
            Plain.Produce(tp, record, _onReplyDelivered ??= OnReplyDelivered);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            LogReplyFailed(logger, ex, tp.Topic);
        }
    }

    public void ProduceChangelog(TopicPartition tp, byte[] key, byte[]? value)
    {
        if (_changelogBuffer is null)
        {
            ProduceChangelogRecord(ForCaller(), tp, key, value);
        }
        else if (_changelogBuffer.Add(tp, key, value))
        {
            DrainChangelog(ForCaller());
        }
    }

    /// <summary>Before a commit: the buffered changelog records into the transaction under exactly_once, else into
    /// the producer that is flushed next.</summary>
    public void DrainChangelog() => DrainChangelog(_transactional ?? Plain);

    /// <summary>Forgets the buffered changelog records of released table partitions (their next owner recovers them).</summary>
    public void DropChangelog(IReadOnlyCollection<int> partitions) => _changelogBuffer?.Drop(partitions);

    /// <summary>Forgets every buffered changelog record: the effects of an aborted transaction.</summary>
    public void DiscardChangelog() => _changelogBuffer?.Drain();

    /// <summary>Replaces a fenced transactional producer and begins a transaction on the new one.</summary>
    public void ReplaceTransactional()
    {
        try
        {
            _transactional?.Dispose();
        }
        catch (Exception ex)
        {
            LogProducerCloseFailed(logger, ex);
        }

        _transactional = transport.CreateProducer(transactional: true);
        _transactional.BeginTransaction();
    }

    public void Dispose()
    {
        _producer?.Dispose();
        if (_transactional is not null)
        {
            try
            {
                _transactional.AbortTransaction();
            }
            catch (InvalidOperationException)
            {
                // No open transaction.
            }

            _transactional.Dispose();
        }
    }

    private ITransportProducer ForCaller() =>
        _transactional is not null && StreamContext.Current is not null ? _transactional : Plain;

    private void DrainChangelog(ITransportProducer producer)
    {
        if (_changelogBuffer is null)
        {
            return;
        }

        foreach (var (tp, keys) in _changelogBuffer.Drain())
        {
            foreach (var (key, value) in keys)
            {
                ProduceChangelogRecord(producer, tp, key, value);
            }
        }
    }

    private void ProduceChangelogRecord(ITransportProducer producer, TopicPartition tp, byte[] key, byte[]? value)
    {
        var record = new TransportRecord(key, value, null, time.GetUtcNow().ToUnixTimeMilliseconds());
        producer.Produce(tp, record, _onChangelogDelivered ??= OnChangelogDelivered);
        monitor.OnSent(tp.Topic, tp.Partition);
    }

    // The store learns the changelog offset its state reflects from the delivery, and persists it at the next
    // commit together with the data (RocksDB), so a restart recovers only what came after it. A failed write fails
    // the next commit, so the events are processed again.
    private void OnChangelogDelivered(DeliveryResult result, Exception? error)
    {
        if (error is not null)
        {
            fail(error);
            LogChangelogFailed(logger, error, result.Topic, result.Partition);
            return;
        }

        if (topics.TablesByChangelog.TryGetValue(result.Topic, out var table))
        {
            table.StoreOf(result.Partition)?.SetAppliedOffset(result.Offset);
        }
    }

    private void OnOutputDelivered(DeliveryResult result, Exception? error)
    {
        if (error is not null)
        {
            fail(error);
            LogOutputFailed(logger, error, result.Topic, result.Partition);
        }
    }

    private void OnReplyDelivered(DeliveryResult result, Exception? error)
    {
        if (error is not null)
        {
            LogReplyFailed(logger, error, result.Topic);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A changelog write to {Topic}[{Partition}] failed; the next commit fails so the events are processed again.")]
    private static partial void LogChangelogFailed(ILogger logger, Exception ex, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A reply to {Topic} was not written; the asker will time out.")]
    private static partial void LogReplyFailed(ILogger logger, Exception ex, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "A record an agent sent to {Topic}[{Partition}] was not written; the next commit fails so the events are processed again.")]
    private static partial void LogOutputFailed(ILogger logger, Exception ex, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the fenced producer failed.")]
    private static partial void LogProducerCloseFailed(ILogger logger, Exception ex);
}
