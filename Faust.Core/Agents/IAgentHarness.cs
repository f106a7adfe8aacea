using Faust.Runtime;
using Faust.Streams;

namespace Faust.Agents;

/// <summary>What a test harness changes in how an agent runs: where its events come from, and where failures go
/// (to the test, at once, instead of retries and dead letters).</summary>
internal interface IAgentHarness<TKey, TValue>
{
    AgentInput<TKey, TValue> Input { get; }

    void OnFailed(IReadOnlyList<Event<TKey, TValue>> inFlight, Exception error);
}
