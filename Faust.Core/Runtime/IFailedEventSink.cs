using Faust.Transport;

namespace Faust.Runtime;

/// <summary>Where an agent's events go when processing them failed for good: its dead-letter topic, the log
/// (skip), or a worker stop, as the agent's <c>AgentOptions.OnFailedEvent</c> says.</summary>
internal interface IFailedEventSink
{
    /// <summary>Disposes of one failed event. The caller acknowledges it afterwards.</summary>
    void OnFailed(TransportRecord record, string topic, int partition, long offset, Exception error, int attempts);
}
