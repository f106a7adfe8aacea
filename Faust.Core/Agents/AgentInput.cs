using Faust.Processing;
using Faust.Runtime;
using Faust.Streams;

namespace Faust.Agents;

/// <summary>Where an agent's actors get their events: the worker's inboxes, or a test harness.</summary>
internal abstract class AgentInput<TKey, TValue>
{
    /// <summary>A reader of the whole source (one actor, or the round-robin dispatcher).</summary>
    public abstract IEventReader<TKey, TValue> Open();

    /// <summary>A reader of one assigned partition (isolated partitions), and the assignment it belongs to (a new
    /// assignment of the partition is a new generation, and ends the readers of the previous one).</summary>
    public abstract IEventReader<TKey, TValue> OpenPartition(int partition, out object generation);

    /// <summary>The current assignment of a partition, or null when it is not assigned.</summary>
    public abstract object? GenerationOf(int partition);

    /// <summary>Starts reporting assignment changes (partition, assigned) and returns the partitions assigned now.
    /// The callback must not block.</summary>
    public abstract IReadOnlyList<int> WatchAssignment(Action<int, bool> changed);
}

/// <summary>The worker's inboxes for an agent.</summary>
internal sealed class WorkerInput<TKey, TValue>(Agent<TKey, TValue> agent, IWorkerRuntime worker) : AgentInput<TKey, TValue>
{
    public override IEventReader<TKey, TValue> Open() => agent.Source.CreateReader(worker, agent.Name, null);

    public override IEventReader<TKey, TValue> OpenPartition(int partition, out object generation)
    {
        generation = Inbox.PartitionView(partition);
        return agent.Source.CreateReader(worker, agent.Name, partition);
    }

    public override object? GenerationOf(int partition)
    {
        try
        {
            return Inbox.PartitionView(partition);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private AgentInbox Inbox => worker.InboxOf(agent.Name, agent.Source.SubscribedTopic
        ?? throw new InvalidOperationException($"Agent {agent.Name} reads a channel: isolated partitions need a topic."));

    public override IReadOnlyList<int> WatchAssignment(Action<int, bool> changed)
    {
        var inbox = Inbox;
        inbox.AssignmentChanged = changed;
        return inbox.AssignedPartitions;
    }
}
