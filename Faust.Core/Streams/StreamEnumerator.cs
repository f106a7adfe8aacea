using System.Runtime.ExceptionServices;
using Faust.Processing;
using Faust.Runtime;

namespace Faust.Streams;

// Acknowledgement rule: an event is acknowledged when the consumer moves past it (the next MoveNextAsync). When
// the consumer stops enumerating while it holds an event (DisposeAsync, which `await foreach` calls on break,
// return and exceptions alike), the event is parked with the actor's supervisor, which acknowledges it after a
// normal exit and retries or dead-letters it after a failure. In no-ack mode moving past an event does not
// acknowledge it: the agent calls Stream.Ack.
// Stopping the agent (its token) or the caller's token ends the enumeration quietly: MoveNextAsync returns false.
internal sealed class StreamEnumerator<TKey, TValue, TOut>(
    IEventReader<TKey, TValue> reader,
    Func<Event<TKey, TValue>, TOut> project,
    StreamRoot<TKey, TValue> root,
    bool autoAck,
    CancellationToken stopping,
    Action onDispose) : IAsyncEnumerator<TOut>, ICurrentEvent
{
    private readonly StreamContext _context = root.Context;
    private readonly ProcessingGate? _gate = root.Gate;
    private Event<TKey, TValue> _event;
    private long _startedAt;
    private bool _inEvent;
    private bool _disposed;

    public TOut Current { get; private set; } = default!;

    public IReadOnlyList<Transport.RecordHeader>? CurrentHeaders => _inEvent ? _event.Headers : null;

    public byte[]? CurrentRawKey => _inEvent ? _event.Raw?.Key : null;

    public ValueTask<bool> MoveNextAsync()
    {
        if (_inEvent)
        {
            Finish();
        }

        if (stopping.IsCancellationRequested || _disposed)
        {
            return new ValueTask<bool>(false);
        }

        if (_gate is null)
        {
            if (TryRead(out var next))
            {
                Begin(next, afterWait: false);
                return new ValueTask<bool>(true);
            }
        }
        else if (_gate.TryEnter())
        {
            bool read;
            Event<TKey, TValue> next;
            try
            {
                read = TryRead(out next);
            }
            catch
            {
                _gate.Exit();
                throw;
            }

            if (read)
            {
                Begin(next, afterWait: false);
                return new ValueTask<bool>(true);
            }

            _gate.Exit();
        }

        return MoveNextSlowAsync();
    }

    private async ValueTask<bool> MoveNextSlowAsync()
    {
        var waited = false;
        try
        {
            while (true)
            {
                if (_gate is not null)
                {
                    await _gate.EnterAsync(stopping).ConfigureAwait(false);
                    bool read;
                    Event<TKey, TValue> ready;
                    try
                    {
                        read = TryRead(out ready);
                    }
                    catch
                    {
                        _gate.Exit();
                        throw;
                    }

                    if (read)
                    {
                        Begin(ready, waited);
                        return true;
                    }

                    // Nothing to process: never hold the gate while waiting, or commits would stall.
                    _gate.Exit();
                }
                else if (TryRead(out var ready))
                {
                    Begin(ready, waited);
                    return true;
                }

                if (!await reader.WaitToReadAsync(stopping).ConfigureAwait(false))
                {
                    return false;
                }

                waited = true;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return false;
        }
    }

    private bool TryRead(out Event<TKey, TValue> next)
    {
        try
        {
            return reader.TryRead(out next);
        }
        catch (EventFailedException<TKey, TValue> failed)
        {
            // An operator failed on this event: it is in flight, as if the loop had thrown on it.
            root.Interrupted.Park(reader, failed.Failed, ackOnExit: true);
            ExceptionDispatchInfo.Capture(failed.InnerException!).Throw();
            throw;
        }
    }

    private void Begin(in Event<TKey, TValue> next, bool afterWait)
    {
        _event = next;
        _inEvent = true;
        _context.Enter(next);
        _startedAt = _context.Stats?.OnEventStart(afterWait) ?? 0;
        Current = project(next);
    }

    private void Finish()
    {
        _inEvent = false;
        _context.Leave();
        if (autoAck)
        {
            reader.Ack(_event);
        }

        _context.Stats?.OnEventDone(_startedAt);
        _gate?.Exit();
    }

    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }

        _disposed = true;
        if (_inEvent)
        {
            _inEvent = false;
            _context.Leave();
            root.Interrupted.Park(reader, _event, ackOnExit: autoAck);
            _gate?.Exit();
        }

        onDispose();
        return ValueTask.CompletedTask;
    }
}
