using Faust.Transport;
using Faust.Transport.Kafka;
using Microsoft.Extensions.Logging;

using Faust.Runtime;

namespace Faust.Processing;

// What a worker does about rebalances and fencing that only Kafka causes.
//
// Recovery generations: an eager rebalance can revoke and reassign a partition while its previous recovery is
// still running. Each assignment records its generation per source partition, and a recovery resumes a partition
// (as soon as that partition's tables are recovered) only when the partition's latest assignment is its own; a
// later recovery resumes the others. The same
// bookkeeping says which assigned partitions are recovered (readiness, HTTP lookups): a partition counts as
// recovered from the end of the recovery of its latest assignment until it is revoked or lost.
//
// Fencing (exactly_once): a transactional producer is fenced when a newer one with the same transactional.id
// initialises (the coordinator thinks this worker is a zombie), or its transaction timed out. Its open
// transaction is lost, and the table state and acknowledgements built on it are ahead of what was committed. So
// the worker drops every partition without committing (tables close, inbox buffers go), replaces the producer,
// and rejoins the group: the partitions it gets back are recovered from the changelogs (read_committed) and
// processed again from the committed offsets. Three fences in a row without a successful commit mean another
// live process uses this worker's id: the worker reports the fault (liveness fails) and commits nothing more, instead of fencing it back.
internal sealed partial class Worker
{
    private const int MaxFencesInARow = 3;
    private readonly Dictionary<TopicPartition, long> _recoveryGeneration = [];
    private readonly HashSet<TopicPartition> _recovered = [];
    private readonly HashSet<TopicPartition> _assignedSources = [];
    private long _assignGeneration;
    private int _fences;
    private volatile bool _droppingAfterFence;

    public void OnLost(IReadOnlyCollection<TopicPartition> partitions)
    {
        // Another member may own these already: committing could move its offsets back. Released at an event
        // boundary all the same, so no agent writes them afterwards.
        _app.Monitor.OnRevoked(partitions);
        HandOver(partitions, commit: false, clean: false);
        OnHeldChanged(partitions, assigned: false);
    }

    private long MarkRecovering(IReadOnlyCollection<TopicPartition> sources)
    {
        lock (_recoveryGeneration)
        {
            var generation = ++_assignGeneration;
            foreach (var tp in sources)
            {
                _recoveryGeneration[tp] = generation;
                _recovered.Remove(tp);
                _assignedSources.Add(tp);
            }

            _droppingAfterFence = false;
            return generation;
        }
    }

    private List<TopicPartition> StillRecoveredBy(long generation, IReadOnlyCollection<TopicPartition> sources)
    {
        lock (_recoveryGeneration)
        {
            var result = new List<TopicPartition>(sources.Count);
            foreach (var tp in sources)
            {
                if (_recoveryGeneration.TryGetValue(tp, out var latest) && latest == generation)
                {
                    result.Add(tp);
                    _recovered.Add(tp);
                }
            }

            return result;
        }
    }

    private void ForgetRecovered(IReadOnlyCollection<TopicPartition> partitions)
    {
        lock (_recoveryGeneration)
        {
            _recovered.ExceptWith(partitions);
            _assignedSources.ExceptWith(partitions);
        }
    }

    private bool AnySourceRecovered(int partition)
    {
        lock (_recoveryGeneration)
        {
            foreach (var tp in _recovered)
            {
                if (tp.Partition == partition)
                {
                    return true;
                }
            }
        }

        return false;
    }

    // Whether every assigned source partition (of the given number, or all) is recovered. Assigned means either: the
    // consumer has published it (which may happen before the worker's assigned callback runs) or the callback has
    // marked it recovering (which happens before the consumer publishes it). Either way a rebalance never reads as
    // ready, and a partition being handed to this worker never reads as recovered.
    private bool AssignedSourcesRecovered(int? partition)
    {
        var assignment = Assignment;
        lock (_recoveryGeneration)
        {
            return AllRecovered(assignment, partition) && AllRecovered(_assignedSources, partition);
        }
    }

    // Under the _recoveryGeneration lock.
    private bool AllRecovered(IEnumerable<TopicPartition> assigned, int? partition)
    {
        foreach (var tp in assigned)
        {
            if ((partition is null || tp.Partition == partition) && _inboxesByTopic.ContainsKey(tp.Topic) && !_recovered.Contains(tp))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsFenced(Exception ex) => ex is ProducerFencedException || ex.InnerException is ProducerFencedException;

    private void RejoinAfterFence(ITransportConsumer consumer, Exception fence)
    {
        var assigned = consumer.Assignment.ToArray();
        _droppingAfterFence = true;
        ReleasePartitions(assigned);
        _changelogBuffer?.Drain(); // the aborted transaction's effects: the next owners recover without them
        if (++_fences >= MaxFencesInARow)
        {
            // Every later commit fails the same way, so nothing more is committed; the liveness check reports
            // the fault and the process should be restarted once the duplicate is gone.
            _fault = fence;
            LogFencedForGood(Logger, fence, _fences);
            return;
        }

        try
        {
            _transactionalProducer?.Dispose();
        }
        catch (Exception ex)
        {
            LogProducerCloseFailed(Logger, ex);
        }

        _transactionalProducer = _transport.CreateProducer(transactional: true);
        _transactionalProducer.BeginTransaction();
        LogFenced(Logger, fence, assigned.Length);
        consumer.Rejoin();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The transactional producer was fenced; the worker drops its {Partitions} partitions without committing and rejoins the group.")]
    private static partial void LogFenced(ILogger logger, Exception ex, int partitions);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The transactional producer was fenced {Times} times in a row: another live worker uses this Faust:WorkerId. This worker commits nothing more and reports the fault.")]
    private static partial void LogFencedForGood(ILogger logger, Exception ex, int times);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the fenced producer failed.")]
    private static partial void LogProducerCloseFailed(ILogger logger, Exception ex);
}
