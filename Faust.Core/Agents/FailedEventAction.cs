using Faust.Runtime;

namespace Faust.Agents;

/// <summary>What happens to an event the agent still fails on after its retries.</summary>
public enum FailedEventAction
{
    /// <summary>Send it to the agent's dead-letter topic <c>{app id}-{agent}-dlq</c>, with the exception in headers,
    /// then acknowledge it (the default).</summary>
    DeadLetter,

    /// <summary>Log it and acknowledge it (what Faust does).</summary>
    Skip,

    /// <summary>Stop the worker without acknowledging it, so it is processed again after a restart.</summary>
    StopWorker,
}
