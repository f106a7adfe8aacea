using Faust.Agents;
using Faust.App;
using Faust.Diagnostics;
using Faust.Tables;
using Faust.Topics;
using Faust.Transport;

namespace Faust.Processing;

/// <summary>What a worker runs: the app's settings and declarations as they are when it starts.</summary>
internal sealed class WorkerDefinition
{
    public required FaustOptions Options { get; init; }

    public required IReadOnlyList<ITopicView> Topics { get; init; }

    public required IReadOnlyList<ITableView> Tables { get; init; }

    /// <summary>The agents the worker consumes for (none for an agent's test context, which feeds its agent itself).</summary>
    public required IReadOnlyList<IAgent> Agents { get; init; }

    public required FaustMonitor Monitor { get; init; }

    /// <summary>How long the last exactly_once commit at a stop waits for an event in flight.</summary>
    public Func<TimeSpan> StopGrace { get; init; } = () => TimeSpan.FromSeconds(10);

    /// <summary>Test hook handed to the recovery: while it returns true for a changelog partition, that partition is
    /// not read.</summary>
    public Func<TopicPartition, bool>? RecoveryHold { get; init; }

    /// <summary>The agents that get a dead-letter topic, with the source topic whose partition count it takes (null for
    /// an agent on a channel: the app's default count). An agent gets one when a topic it reads dead-letters decode
    /// errors, or when it dead-letters the events its code fails on.</summary>
    public IEnumerable<(string Agent, string? Source)> AgentsWantingDeadLetters()
    {
        foreach (var agent in Agents)
        {
            var wants = agent.DeadLettersFailedEvents;
            foreach (var subscription in agent.Subscriptions)
            {
                foreach (var topic in Topics)
                {
                    wants |= topic.Name == subscription.Topic && topic.DecodeErrorPolicy == DecodeErrorPolicy.DeadLetter;
                }
            }

            if (wants)
            {
                yield return (agent.Name, agent.SourceTopic);
            }
        }
    }
}
