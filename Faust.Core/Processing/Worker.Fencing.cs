using Faust.Runtime;
using Faust.Transport;
using Faust.Transport.Kafka;
using Microsoft.Extensions.Logging;

namespace Faust.Processing;

// What a worker does when its transactional producer is fenced (only Kafka fences).
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
        var generation = _generations.MarkRecovering(sources);
        _droppingAfterFence = false;
        return generation;
    }

    private List<TopicPartition> StillRecoveredBy(long generation, IReadOnlyCollection<TopicPartition> sources) =>
        _generations.StillRecoveredBy(generation, sources);

    private void ForgetRecovered(IReadOnlyCollection<TopicPartition> partitions) => _generations.Forget(partitions);

    private bool AnySourceRecovered(int partition) => _generations.AnyRecovered(partition);

    private bool AssignedSourcesRecovered(int? partition) => _generations.AllAssignedRecovered(Assignment, partition);

    private void RejoinAfterFence(ITransportConsumer consumer, Exception fence)
    {
        var assigned = consumer.Assignment.ToArray();
        _droppingAfterFence = true;
        ReleasePartitions(assigned);
        _producers.DiscardChangelog(); // the aborted transaction's effects: the next owners recover without them
        if (_committer.FencesInARow >= MaxFencesInARow)
        {
            // Every later commit fails the same way, so nothing more is committed; the liveness check reports
            // the fault and the process should be restarted once the duplicate is gone.
            _fault = fence;
            LogFencedForGood(Logger, fence, _committer.FencesInARow);
            return;
        }

        _producers.ReplaceTransactional();
        LogFenced(Logger, fence, assigned.Length);
        consumer.Rejoin();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The transactional producer was fenced; the worker drops its {Partitions} partitions without committing and rejoins the group.")]
    private static partial void LogFenced(ILogger logger, Exception ex, int partitions);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The transactional producer was fenced {Times} times in a row: another live worker uses this Faust:WorkerId. This worker commits nothing more and reports the fault.")]
    private static partial void LogFencedForGood(ILogger logger, Exception ex, int times);
}
