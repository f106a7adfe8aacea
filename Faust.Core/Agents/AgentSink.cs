using Faust.Runtime;
using Faust.Topics;

namespace Faust.Agents;

/// <summary>Where a yielding agent's results go besides replies: a topic, another agent, or a callback.</summary>
internal abstract class AgentSink<TResult>
{
    public abstract ValueTask DeliverAsync(TResult result, CancellationToken ct);

    /// <summary>A topic: the result is the value, with no key (as Faust's sinks send), queued at the producer and
    /// durable before the next commit.</summary>
    public sealed class ToTopic<TSinkKey>(Topic<TSinkKey, TResult> topic) : AgentSink<TResult>
    {
        public Topic<TSinkKey, TResult> Topic => topic;

        public override ValueTask DeliverAsync(TResult result, CancellationToken ct) => topic.SendValueAsync(result, ct);
    }

    /// <summary>Another agent: the result is sent into its source (Faust's <c>agent.send(value=...)</c>).</summary>
    public sealed class ToAgent<TSinkKey>(Agent<TSinkKey, TResult> agent) : AgentSink<TResult>
    {
        public override ValueTask DeliverAsync(TResult result, CancellationToken ct) => agent.Source.SendValueAsync(result, ct);
    }

    /// <summary>A callback, awaited before the agent moves on.</summary>
    public sealed class ToCallback(Func<TResult, Task> callback) : AgentSink<TResult>
    {
        public override ValueTask DeliverAsync(TResult result, CancellationToken ct) => new(callback(result));
    }
}
