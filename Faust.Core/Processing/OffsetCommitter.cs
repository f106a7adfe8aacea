using Faust.Diagnostics;
using Faust.Runtime;
using Faust.Transport;
using Faust.Transport.Kafka;
using Microsoft.Extensions.Logging;

namespace Faust.Processing;

// Commit invariant: a partition's committed offset is the smallest commit point over the agents reading it (see
// AckTracker), and it is committed only after every record those events produced (changelog and outputs) is durable:
// at_least_once flushes the producer first; exactly_once commits the records and the offsets in one transaction, at
// an event boundary (ProcessingGate), so table state never runs ahead of committed input.
//
// Hand-over invariant (both guarantees): a revoked partition is committed and released at an event boundary. The
// revocation closes the gate, so no event is half-processed: every table write in the stores and the changelog
// buffer belongs to an acknowledged event, and the commit covers it. Without that, an event in flight (written to the
// table, acknowledged only when the agent asks for the next one) reached the changelog through the revocation's drain
// while its offset stayed uncommitted, and the next owner recovered its effect AND processed it again: a double count
// on a clean hand-over. The wait is bounded (RevocationDrainTimeout); past it the worker hands over anyway, logs it,
// and the event in flight may be counted twice (at least once).
//
// Lock order: the commit lock first, then the gate, for commits and hand-overs alike.
internal sealed partial class OffsetCommitter(
    IReadOnlyDictionary<string, AgentInbox[]> inboxesByTopic,
    WorkerProducers producers,
    ProcessingGate gate,
    Action flushTables,
    FaustMonitor monitor,
    TimeSpan interval,
    bool exactlyOnce,
    TimeProvider time,
    ILogger logger)
{
    private static readonly TimeSpan RevocationDrainTimeout = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<TopicPartition, long> _lastCommitted = [];
    private ITransportConsumer? _consumer;
    private Task _loop = Task.CompletedTask;

    /// <summary>Called, with the gate closed, when the transactional producer was fenced during a commit.</summary>
    public Action<ITransportConsumer, Exception> OnFenced { get; set; } = (_, _) => { };

    /// <summary>Commits that failed because the producer was fenced, since the last one that succeeded.</summary>
    public int FencesInARow { get; private set; }

    /// <summary>Starts committing every interval until <paramref name="stopping"/> fires.</summary>
    public void Start(ITransportConsumer consumer, CancellationToken stopping)
    {
        _consumer = consumer;
        _loop = LoopAsync(stopping);
    }

    /// <summary>Completes when the commit loop has ended (after the stop token fired).</summary>
    public Task Stopped => _loop;

    /// <summary>This worker's last committed offset of a partition, or null.</summary>
    public long? LastCommitted(TopicPartition tp)
    {
        lock (_lastCommitted)
        {
            return _lastCommitted.TryGetValue(tp, out var offset) ? offset : null;
        }
    }

    /// <summary>Commits what every agent has acknowledged; returns the offsets committed. Under exactly_once it
    /// first waits until no event is in flight; <paramref name="gateWait"/> may cancel that wait alone.</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> CommitAsync(CancellationToken ct, CancellationToken gateWait = default)
    {
        if (_consumer is null)
        {
            return new Dictionary<TopicPartition, long>();
        }

        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await CommitLockedAsync(gateHeld: false, ct, gateWait).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Poll thread (rebalance callbacks): at an event boundary, commits what was acknowledged (when
    /// <paramref name="commit"/>) and then runs <paramref name="release"/> (see the hand-over invariant).</summary>
    public void HandOver(bool commit, Action release)
    {
        _lock.Wait();
        try
        {
            var gateHeld = CloseGateForHandOver();
            try
            {
                if (commit)
                {
                    try
                    {
                        CommitLockedAsync(gateHeld, CancellationToken.None).GetAwaiter().GetResult();
                    }
                    catch (Exception ex)
                    {
                        LogCommitFailed(logger, ex);
                    }
                }

                release();
            }
            finally
            {
                if (gateHeld)
                {
                    gate.Open();
                }
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, ct).ConfigureAwait(false);

                // Not cancellable once it commits: a commit stopped halfway would leave the gate closed or the
                // transaction ended without a new one; the stop waits for it and then commits once more. Only its
                // wait for an event in flight (exactly_once) gives way to a stop, so a stuck agent cannot hold it.
                await CommitAsync(CancellationToken.None, gateWait: ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogCommitFailed(logger, ex);
                monitor.OnWorkerError("commit failed", ex);
            }
        }
    }

    private bool CloseGateForHandOver()
    {
        using var timeout = new CancellationTokenSource(RevocationDrainTimeout);
        try
        {
            gate.CloseAsync(timeout.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            LogHandOverInFlight(logger, RevocationDrainTimeout.TotalSeconds);
            return false;
        }
    }

    // Holds the commit lock. gateHeld: the caller has closed the gate (a hand-over).
    private async Task<IReadOnlyDictionary<TopicPartition, long>> CommitLockedAsync(bool gateHeld, CancellationToken ct, CancellationToken gateWait = default)
    {
        var consumer = _consumer!;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var gateClosed = false;
        try
        {
            if (exactlyOnce && !gateHeld)
            {
                using var waitOrStop = CancellationTokenSource.CreateLinkedTokenSource(ct, gateWait);
                await gate.CloseAsync(waitOrStop.Token).ConfigureAwait(false);
                gateClosed = true;
            }

            var offsets = CollectOffsets();
            producers.DrainChangelog();
            if (producers.Transactional is { } transactional)
            {
                // The gate is closed: the stores hold exactly the effects of the events this transaction commits,
                // and they are flushed only once it has committed.
                try
                {
                    await transactional.CommitTransactionAsync(offsets, consumer, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsFenced(ex))
                {
                    // No event is in flight, so the producer can be replaced safely.
                    FencesInARow++;
                    OnFenced(consumer, ex);
                    throw;
                }

                FencesInARow = 0;
                transactional.BeginTransaction();
                flushTables();
            }
            else
            {
                // Changelog and outputs first: an offset is committed only once its effects are durable.
                await producers.Plain.FlushAsync(ct).ConfigureAwait(false);
                flushTables();
                if (offsets.Count == 0)
                {
                    return offsets;
                }

                await consumer.CommitAsync(offsets, ct).ConfigureAwait(false);
            }

            lock (_lastCommitted)
            {
                foreach (var (tp, offset) in offsets)
                {
                    _lastCommitted[tp] = offset;
                }
            }

            monitor.OnCommitted(offsets, started);
            return offsets;
        }
        finally
        {
            if (gateClosed)
            {
                gate.Open();
            }
        }
    }

    private static bool IsFenced(Exception ex) => ex is ProducerFencedException || ex.InnerException is ProducerFencedException;

    private Dictionary<TopicPartition, long> CollectOffsets()
    {
        var offsets = new Dictionary<TopicPartition, long>();
        foreach (var (topic, inboxes) in inboxesByTopic)
        {
            for (var p = 0; p < inboxes[0].PartitionCount; p++)
            {
                long? point = null;
                foreach (var inbox in inboxes)
                {
                    var mine = inbox.TrackerFor(p)?.CommitPoint;
                    if (mine is null)
                    {
                        point = null;
                        break;
                    }

                    point = point is null ? mine : Math.Min(point.Value, mine.Value);
                }

                if (point is { } offset)
                {
                    var tp = new TopicPartition(topic, p);
                    lock (_lastCommitted)
                    {
                        if (_lastCommitted.TryGetValue(tp, out var last) && last >= offset)
                        {
                            continue;
                        }
                    }

                    offsets[tp] = offset;
                }
            }
        }

        return offsets;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A commit failed; it is retried at the next interval and no acknowledged offset is lost.")]
    internal static partial void LogCommitFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An agent was still processing an event after {Seconds} s when its partitions were revoked; the worker hands them over anyway, and the next owner may process that event again.")]
    private static partial void LogHandOverInFlight(ILogger logger, double seconds);
}
