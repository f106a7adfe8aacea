using System.Runtime.ExceptionServices;
using Faust.Processing;
using Faust.Runtime;

namespace Faust.Streams;

// Stream.Chunk (Faust's take): a batch is handed out when it holds `max` events, or when `within` has passed
// since its first event arrived, whichever comes first; never empty. The events of a batch are acknowledged
// together when the consumer asks for the next batch (so after the batch was processed), and parked together
// with the supervisor when the loop ends while it holds the batch. Under exactly_once the gate is held while the
// consumer processes a batch, not while events are being collected.
// While a batch is processed the stream context has no partition: a table written from a batch writes to the
// key's own partition (a batch may span partitions).
internal sealed class ChunkEnumerator<TKey, TValue, TItem>(
    IEventReader<TKey, TValue> reader,
    Func<Event<TKey, TValue>, TItem> project,
    StreamRoot<TKey, TValue> root,
    bool autoAck,
    int max,
    TimeSpan within,
    CancellationToken stopping,
    Action onDispose) : IAsyncEnumerator<IReadOnlyList<TItem>>, ICurrentEvent
{
    private readonly List<Event<TKey, TValue>> _events = new(Math.Min(max, 1024));
    private bool _held;
    private bool _disposed;

    public IReadOnlyList<TItem> Current { get; private set; } = [];

    public IReadOnlyList<Transport.RecordHeader>? CurrentHeaders => _held && _events.Count > 0 ? _events[^1].Headers : null;

    public byte[]? CurrentRawKey => _held && _events.Count > 0 ? _events[^1].Raw?.Key : null;

    public async ValueTask<bool> MoveNextAsync()
    {
        if (_held)
        {
            Release();
        }

        if (stopping.IsCancellationRequested || _disposed)
        {
            return false;
        }

        try
        {
            if (!await CollectAsync().ConfigureAwait(false))
            {
                return false;
            }

            if (root.Gate is { } gate)
            {
                await gate.EnterAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Collected but never handed out: the next run of the actor gets them first.
            foreach (var collected in _events)
            {
                root.Interrupted.ParkUnprocessed(reader, collected);
            }

            _events.Clear();
            return false;
        }

        var items = new TItem[_events.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = project(_events[i]);
        }

        _held = true;
        root.Context.Holder = this;
        Current = items;
        return true;
    }

    private async ValueTask<bool> CollectAsync()
    {
        while (_events.Count == 0)
        {
            if (TryRead(out var first))
            {
                _events.Add(first);
                break;
            }

            if (!await reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                return false;
            }
        }

        var time = root.Time;
        var deadline = time.GetUtcNow() + within;
        while (_events.Count < max)
        {
            if (TryRead(out var next))
            {
                _events.Add(next);
                continue;
            }

            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                break;
            }

            using var timeout = new CancellationTokenSource(left, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
            try
            {
                if (!await reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
                {
                    break;
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
            {
                break;
            }
        }

        return true;
    }

    private bool TryRead(out Event<TKey, TValue> next)
    {
        try
        {
            return reader.TryRead(out next);
        }
        catch (EventFailedException<TKey, TValue> failed)
        {
            // Keep offset order for the retry: the batch so far, then the event that failed.
            foreach (var collected in _events)
            {
                root.Interrupted.ParkUnprocessed(reader, collected);
            }

            _events.Clear();
            root.Interrupted.Park(reader, failed.Failed, ackOnExit: true);
            ExceptionDispatchInfo.Capture(failed.InnerException!).Throw();
            throw;
        }
    }

    private void Release()
    {
        _held = false;
        if (autoAck)
        {
            foreach (var processed in _events)
            {
                reader.Ack(processed);
            }
        }

        _events.Clear();
        root.Gate?.Exit();
    }

    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }

        _disposed = true;
        if (_held)
        {
            _held = false;
            foreach (var held in _events)
            {
                root.Interrupted.Park(reader, held, ackOnExit: autoAck);
            }

            _events.Clear();
            root.Gate?.Exit();
        }

        onDispose();
        return ValueTask.CompletedTask;
    }
}
