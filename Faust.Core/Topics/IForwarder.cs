using Faust.Agents;
using Faust.Processing;
using Faust.Runtime;

namespace Faust.Topics;

/// <summary>Feeds a derived source (repartition, through): reads its upstream and sends every event on to the topic
/// the agent reads. Runs as part of its agent.</summary>
internal interface IForwarder
{
    /// <summary>The topics the forwarder reads (it has an inbox on each).</summary>
    void CollectTopics(List<string> topics);

    Task RunAsync(IWorkerRuntime worker, string agent, IFailedEventSink failures, CancellationToken stopping);
}
