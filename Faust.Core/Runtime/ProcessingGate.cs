namespace Faust.Runtime;

// A commit or a revocation that must happen between events closes this gate. Agents hold it (shared) while they
// process an event; the closer waits until no event is in flight, does its work, and opens it again.
// - exactly_once: every commit, so the transaction takes the outputs and changelog writes of exactly the events
//   whose offsets it commits.
// - both guarantees: every revocation (and loss), so the revoked partitions' changelog is drained and their offsets
//   committed at an event boundary, and no agent writes a table partition after it was handed over (see
//   Worker.OnRevoked).
// Entering and leaving are one interlocked operation each (the agents' hot path); closing and waiting take a lock.
internal sealed class ProcessingGate
{
    private const int Closed = 1 << 30;
    private readonly object _lock = new();
    private int _state; // events in flight, plus Closed while the gate is closed
    private TaskCompletionSource? _reopened;
    private TaskCompletionSource? _drained;

    /// <summary>Enters the gate for one event if it is open.</summary>
    public bool TryEnter()
    {
        var state = Volatile.Read(ref _state);
        while ((state & Closed) == 0)
        {
            var seen = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (seen == state)
            {
                return true;
            }

            state = seen;
        }

        return false;
    }

    /// <summary>Enters the gate for one event; waits while it is closed.</summary>
    public ValueTask EnterAsync(CancellationToken ct) => TryEnter() ? ValueTask.CompletedTask : EnterSlowAsync(ct);

    private async ValueTask EnterSlowAsync(CancellationToken ct)
    {
        while (true)
        {
            Task? wait;
            lock (_lock)
            {
                if (TryEnter())
                {
                    return;
                }

                // Closed is set and cleared under the lock, always together with _reopened.
                wait = _reopened?.Task;
            }

            if (wait is not null)
            {
                await wait.WaitAsync(ct).ConfigureAwait(false);
            }
        }
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _state) == Closed)
        {
            lock (_lock)
            {
                _drained?.TrySetResult();
            }
        }
    }

    /// <summary>Closes the gate and completes when no event is in flight. Cancelled, it opens the gate again and
    /// throws.</summary>
    public Task CloseAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            if (_reopened is not null)
            {
                throw new InvalidOperationException("The processing gate is already closed.");
            }

            _reopened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (Interlocked.Add(ref _state, Closed) == Closed)
            {
                return Task.CompletedTask;
            }

            return WaitDrainedAsync(_drained.Task, ct);
        }
    }

    private async Task WaitDrainedAsync(Task drained, CancellationToken ct)
    {
        try
        {
            await drained.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Open();
            throw;
        }
    }

    public void Open()
    {
        TaskCompletionSource? reopened;
        lock (_lock)
        {
            reopened = _reopened;
            if (reopened is null)
            {
                return;
            }

            _reopened = null;
            _drained = null;
            Interlocked.Add(ref _state, -Closed);
        }

        reopened.TrySetResult();
    }
}
