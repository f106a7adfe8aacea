using System.Threading.Channels;
using Faust.Processing;
using Faust.Runtime;
using Faust.Streams;
using Faust.Topics;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Agents;

// One agent running on one worker: its forwarders, its actors and their supervision.
//
// Supervision invariant: an event handed to the agent's code is acknowledged only once the code moved past it, or
// once it has been dead-lettered or skipped after its retries. When the code throws, the stream parks the events it
// held (InterruptedEvents); the actor starts again with them first. When the worker stops, parked events stay
// unacknowledged, so they are processed again after a restart. Nothing is lost and the commit never skips a hole.
internal sealed partial class AgentRuntime<TKey, TValue> : IFailedEventSink
{
    private readonly Agent<TKey, TValue> _agent;
    private readonly IWorkerRuntime _worker;
    private readonly AgentInput<TKey, TValue> _input;
    private readonly IAgentHarness<TKey, TValue>? _harness;
    private readonly AgentOptions _options;
    private readonly RestartBudget _budget;
    private readonly ActorGroup _group = new();
    private readonly ILogger _logger;

    public AgentRuntime(Agent<TKey, TValue> agent, IWorkerRuntime worker, IAgentHarness<TKey, TValue>? harness = null)
    {
        _agent = agent;
        _worker = worker;
        _harness = harness;
        _input = harness?.Input ?? new WorkerInput<TKey, TValue>(agent, worker);
        _options = agent.Options;
        _budget = new RestartBudget(_options.MaxRestarts, _options.RestartWindow, worker.Time);
        _logger = worker.Logger;
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        var running = new List<Task>();
        if (_harness is null)
        {
            var forwarders = new List<IForwarder>();
            _agent.Source.CollectForwarders(forwarders);
            foreach (var forwarder in forwarders)
            {
                running.Add(Task.Run(() => forwarder.RunAsync(_worker, _agent.Name, this, stopping), CancellationToken.None));
            }
        }

        if (_options.IsolatedPartitions)
        {
            running.Add(RunIsolatedAsync(stopping));
        }
        else if (_options.Concurrency > 1)
        {
            var dispatcher = new RoundRobinDispatcher<TKey, TValue>(_input.Open(), _options.Concurrency);
            running.Add(Task.Run(() => dispatcher.RunAsync(stopping), CancellationToken.None));
            for (var i = 0; i < _options.Concurrency; i++)
            {
                var reader = dispatcher.ReaderOf(i);
                var actor = $"{_agent.Name}#{i}";
                running.Add(Task.Run(() => RunActorAsync(reader, actor, stopping), CancellationToken.None));
            }
        }
        else
        {
            running.Add(RunActorAsync(_input.Open(), _agent.Name, stopping));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    // One actor per assigned partition: started on assignment, stopped on revocation (the partition's view ends).
    private async Task RunIsolatedAsync(CancellationToken stopping)
    {
        var changes = Channel.CreateUnbounded<(int Partition, bool Assigned)>();
        var assigned = _input.WatchAssignment((p, isAssigned) => changes.Writer.TryWrite((p, isAssigned)));
        foreach (var p in assigned)
        {
            changes.Writer.TryWrite((p, true));
        }

        var actors = new Dictionary<int, (object Generation, CancellationTokenSource Stop, Task Run)>();
        try
        {
            while (await changes.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                while (changes.Reader.TryRead(out var change))
                {
                    var generation = _input.GenerationOf(change.Partition);
                    if (actors.TryGetValue(change.Partition, out var current))
                    {
                        if (ReferenceEquals(current.Generation, generation))
                        {
                            continue; // the actor of this assignment runs already (a repeated notification)
                        }

                        // Revoked, or assigned again: the old assignment's stream has ended or ends now.
                        actors.Remove(change.Partition);
                        await current.Stop.CancelAsync().ConfigureAwait(false);
                        await current.Run.ConfigureAwait(false);
                        current.Stop.Dispose();
                        LogPartitionStopped(_logger, _agent.Name, change.Partition);
                    }

                    if (generation is null)
                    {
                        continue;
                    }

                    IEventReader<TKey, TValue> reader;
                    try
                    {
                        reader = _input.OpenPartition(change.Partition, out generation);
                    }
                    catch (InvalidOperationException)
                    {
                        continue; // revoked again meanwhile; that change is in the queue
                    }

                    var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                    var actor = $"{_agent.Name}[{change.Partition}]";
                    var run = Task.Run(() => RunActorAsync(reader, actor, stop.Token, isolated: true), CancellationToken.None);
                    actors[change.Partition] = (generation, stop, run);
                    LogPartitionStarted(_logger, _agent.Name, change.Partition);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var (_, stop, _) in actors.Values)
            {
                await stop.CancelAsync().ConfigureAwait(false);
            }

            await Task.WhenAll(actors.Values.Select(a => a.Run)).ConfigureAwait(false);
        }
    }

    private async Task RunActorAsync(IEventReader<TKey, TValue> reader, string actor, CancellationToken stopping, bool isolated = false)
    {
        var interrupted = new InterruptedEvents<TKey, TValue>();
        Event<TKey, TValue>[]? replay = null;
        (string Topic, int Partition, long Offset) failing = default;
        var attempts = 0;
        var crashDelay = _options.RetryBackoff;
        while (!stopping.IsCancellationRequested)
        {
            using var run = CancellationTokenSource.CreateLinkedTokenSource(stopping, _group.Token);
            var context = new StreamContext { AgentName = _agent.Name, Concurrency = _options.Concurrency, Stats = _worker.Monitor.Agent(_agent.Name, actor) };
            StreamContext.Current = context;
            var root = new StreamRoot<TKey, TValue>(_agent.Source.Name, context, _worker.Gate, _worker.Time, interrupted, run.Token);
            var input = replay is { Length: > 0 } ? new ReplayReader<TKey, TValue>(replay, reader) : reader;
            replay = null;
            Exception? error = null;
            try
            {
                await _agent.RunHandlerAsync(new Stream<TKey, TValue>(input, root), context, run.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (run.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                error = ex;
            }
            finally
            {
                StreamContext.Current = null;
            }

            if (error is null)
            {
                if (!run.IsCancellationRequested)
                {
                    interrupted.CompleteExit();
                    if (isolated)
                    {
                        return; // the partition was revoked: its stream ended
                    }

                    LogReturned(_logger, actor);
                    return;
                }

                if (stopping.IsCancellationRequested)
                {
                    return; // what the loop held stays unacknowledged: processed again after a restart
                }

                replay = interrupted.TakeForReplay(); // the group restarts
                continue;
            }

            _agent.CountCrash();
            context.Stats?.OnCrashed(error);
            if (_harness is not null)
            {
                // Test harness: the failure goes to the test (PutAsync throws), the event is acknowledged, no waiting.
                _harness.OnFailed([.. interrupted.InFlight], error);
                interrupted.AckInFlight();
                replay = interrupted.TakeForReplay();
                continue;
            }

            if (_options.Supervisor == SupervisorStrategy.StopWorker)
            {
                LogCrashedStopping(_logger, error, actor);
                _agent.App.Crash(new AgentCrashedException(_agent.Name, error));
                return;
            }

            if (!_budget.TryTake())
            {
                LogBudgetExceeded(_logger, error, actor, _options.MaxRestarts, _options.RestartWindow.TotalSeconds);
                _agent.App.Crash(new AgentCrashedException(_agent.Name, error,
                    $"Agent {_agent.Name} crashed more than {_options.MaxRestarts} times within {_options.RestartWindow}; the worker stops."));
                return;
            }

            TimeSpan delay;
            if (interrupted.InFlightCount > 0)
            {
                var first = interrupted.InFlight.First();
                var id = (first.Topic, first.Partition, first.Offset);
                attempts = id == failing ? attempts + 1 : 1;
                failing = id;
                if (attempts <= _options.MaxRetries)
                {
                    delay = _options.BackoffFor(attempts);
                    LogRetrying(_logger, error, actor, first.Topic, first.Partition, first.Offset, attempts, _options.MaxRetries, delay.TotalMilliseconds);
                }
                else
                {
                    if (_options.OnFailedEvent == FailedEventAction.StopWorker)
                    {
                        LogCrashedStopping(_logger, error, actor);
                        _agent.App.Crash(new AgentCrashedException(_agent.Name, error));
                        return;
                    }

                    // As at an event boundary: under exactly_once the dead letters and the acknowledgements go into
                    // one transaction (the gate keeps a commit from splitting them).
                    if (_worker.Gate is { } gate)
                    {
                        await gate.EnterAsync(CancellationToken.None).ConfigureAwait(false);
                    }

                    StreamContext.Current = context;
                    try
                    {
                        foreach (var failed in interrupted.InFlight)
                        {
                            OnFailed(_agent.Source.ToRecord(failed), failed.Topic, failed.Partition, failed.Offset, error, attempts);
                        }

                        interrupted.AckInFlight();
                    }
                    finally
                    {
                        StreamContext.Current = null;
                        _worker.Gate?.Exit();
                    }

                    failing = default;
                    attempts = 0;
                    delay = TimeSpan.Zero;
                }
            }
            else
            {
                delay = crashDelay;
                crashDelay = TimeSpan.FromTicks(Math.Min(crashDelay.Ticks * 2, _options.MaxRetryBackoff.Ticks));
                LogCrashed(_logger, error, actor, delay.TotalMilliseconds);
            }

            replay = interrupted.TakeForReplay();
            if (_options.Supervisor == SupervisorStrategy.OneForAll && _options.Concurrency + (_options.IsolatedPartitions ? 1 : 0) > 1)
            {
                _group.RestartAll();
            }

            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, _worker.Time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>An event that failed for good: dead-letter it (the dead letter first, then the caller acknowledges;
    /// see <see cref="DeadLetterQueue"/>), or log it (skip).</summary>
    public void OnFailed(TransportRecord record, string topic, int partition, long offset, Exception error, int attempts)
    {
        if (_options.OnFailedEvent == FailedEventAction.DeadLetter
            && _worker.DeadLetters?.Send(_agent.Name, new TopicPartition(topic, partition), offset, record, DeadLetterHeaders.StageAgent, error, attempts) == true)
        {
            _agent.CountDeadLettered();
            LogDeadLettered(_logger, error, _agent.Name, topic, partition, offset, attempts, _worker.DeadLetters.TopicOf(_agent.Name)!);
        }
        else
        {
            _agent.CountSkipped();
            LogSkipped(_logger, error, _agent.Name, topic, partition, offset, attempts);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {Agent} failed on {Topic}[{Partition}]@{Offset} (attempt {Attempt} of {Retries} retries); it restarts with the same event in {DelayMs} ms.")]
    private static partial void LogRetrying(ILogger logger, Exception ex, string agent, string topic, int partition, long offset, int attempt, int retries, double delayMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Agent {Agent} crashed outside any event; it restarts in {DelayMs} ms.")]
    private static partial void LogCrashed(ILogger logger, Exception ex, string agent, double delayMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Agent {Agent} gave up on {Topic}[{Partition}]@{Offset} after {Attempts} attempts; the event went to {DeadLetterTopic} and is acknowledged.")]
    private static partial void LogDeadLettered(ILogger logger, Exception ex, string agent, string topic, int partition, long offset, int attempts, string deadLetterTopic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Agent {Agent} gave up on {Topic}[{Partition}]@{Offset} after {Attempts} attempts; the event is skipped (acknowledged).")]
    private static partial void LogSkipped(ILogger logger, Exception ex, string agent, string topic, int partition, long offset, int attempts);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Agent {Agent} crashed and its supervisor stops the worker; the failing event is not acknowledged.")]
    private static partial void LogCrashedStopping(ILogger logger, Exception ex, string agent);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Agent {Agent} crashed more than {MaxRestarts} times within {WindowSeconds} s; the worker stops.")]
    private static partial void LogBudgetExceeded(ILogger logger, Exception ex, string agent, int maxRestarts, double windowSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {Agent} returned before the worker stopped; it processes no more events.")]
    private static partial void LogReturned(ILogger logger, string agent);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} started an actor for partition {Partition}.")]
    private static partial void LogPartitionStarted(ILogger logger, string agent, int partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} stopped the actor of partition {Partition}.")]
    private static partial void LogPartitionStopped(ILogger logger, string agent, int partition);
}
