using Faust.Processing;

namespace Faust.Streams;

// Acknowledgement rule: an event is acknowledged when the consumer moves past it (the next MoveNextAsync) or
// stops enumerating (DisposeAsync, which `await foreach` calls on break, return and exceptions alike).
// Stopping the agent (its token) or the caller's token ends the enumeration quietly: MoveNextAsync returns false.
internal sealed class StreamEnumerator<TKey, TValue, TOut>(
    IEventReader<TKey, TValue> reader,
    Func<Event<TKey, TValue>, TOut> project,
    StreamContext? context,
    ProcessingGate? gate,
    CancellationToken stopping,
    Action onDispose) : IAsyncEnumerator<TOut>
{
    private Event<TKey, TValue> _event;
    private long _startedAt;
    private bool _inEvent;
    private bool _disposed;

    public TOut Current { get; private set; } = default!;

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

        if (gate is null && reader.TryRead(out var next))
        {
            Begin(next, afterWait: false);
            return new ValueTask<bool>(true);
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
                if (gate is not null)
                {
                    await gate.EnterAsync(stopping).ConfigureAwait(false);
                    if (reader.TryRead(out var ready))
                    {
                        Begin(ready, waited);
                        return true;
                    }

                    // Nothing to process: never hold the gate while waiting, or commits would stall.
                    gate.Exit();
                }
                else if (reader.TryRead(out var ready))
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

    private void Begin(in Event<TKey, TValue> next, bool afterWait)
    {
        _event = next;
        _inEvent = true;
        if (context is not null)
        {
            context.Topic = next.Topic;
            context.Partition = next.Partition;
            _startedAt = context.Stats?.OnEventStart(afterWait) ?? 0;
        }

        Current = project(next);
    }

    private void Finish()
    {
        _inEvent = false;
        if (context is not null)
        {
            context.Partition = -1;
        }

        reader.Ack(_event);
        context?.Stats?.OnEventDone(_startedAt);
        gate?.Exit();
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
            Finish();
        }

        onDispose();
        return ValueTask.CompletedTask;
    }
}
