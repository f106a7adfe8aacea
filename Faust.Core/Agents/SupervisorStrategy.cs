using Faust.Runtime;

namespace Faust.Agents;

/// <summary>What happens to an agent's actors when one of them crashes (Faust's supervisor strategies).</summary>
public enum SupervisorStrategy
{
    /// <summary>Restart the crashed actor only (Faust's default <c>OneForOneSupervisor</c>).</summary>
    OneForOne,

    /// <summary>Restart every actor of the agent (Faust's <c>OneForAllSupervisor</c>): the others finish the event
    /// they are processing, then start again with the crashed one.</summary>
    OneForAll,

    /// <summary>Stop the worker at the first crash (Faust's <c>CrashingSupervisor</c>). The failing event is not
    /// acknowledged, so it is processed again after a restart.</summary>
    StopWorker,
}
