namespace Faust.Processing;

// Under exactly_once a commit must happen between events: the transaction takes the outputs and changelog
// writes of exactly the events whose offsets it commits. Agents hold the gate (shared) while they process an
// event; the committer closes it, waits until no event is in flight, commits, and opens it again.
internal sealed class ProcessingGate
{
    private readonly object _lock = new();
    private int _active;
    private TaskCompletionSource? _reopened;
    private TaskCompletionSource? _drained;

    /// <summary>Enters the gate for one event; waits while a commit is in progress.</summary>
    public ValueTask EnterAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            if (_reopened is null)
            {
                _active++;
                return ValueTask.CompletedTask;
            }
        }

        return EnterSlowAsync(ct);
    }

    private async ValueTask EnterSlowAsync(CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_reopened is null)
                {
                    _active++;
                    return;
                }

                wait = _reopened.Task;
            }

            await wait.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    public void Exit()
    {
        lock (_lock)
        {
            _active--;
            if (_active == 0)
            {
                _drained?.TrySetResult();
            }
        }
    }

    /// <summary>Closes the gate and completes when no event is in flight.</summary>
    public Task CloseAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            if (_reopened is not null)
            {
                throw new InvalidOperationException("The processing gate is already closed.");
            }

            _reopened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_active == 0)
            {
                return Task.CompletedTask;
            }

            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
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
            _reopened = null;
            _drained = null;
        }

        reopened?.TrySetResult();
    }
}
