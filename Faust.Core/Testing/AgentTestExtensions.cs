using Faust.Agents;

namespace Faust.Testing;

/// <summary>Runs an agent alone for a test (Faust's <c>agent.test_context()</c>).</summary>
public static class AgentTestExtensions
{
    /// <summary>Runs <paramref name="agent"/> alone, in memory, for a test: no broker, no host, no other agent. Put
    /// events with <see cref="AgentTestContext{TKey, TValue}.PutAsync"/>; tables work and topics the agent writes can
    /// be read back. The app must not have started; it cannot start after.</summary>
    /// <param name="agent">The agent under test.</param>
    /// <param name="ct">Cancels start-up.</param>
    public static async Task<AgentTestContext<TKey, TValue>> TestContextAsync<TKey, TValue>(this Agent<TKey, TValue> agent, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var context = new AgentTestContext<TKey, TValue>(agent);
        await context.StartAsync(ct).ConfigureAwait(false);
        return context;
    }

    /// <summary>Runs an agent that yields alone, in memory, for a test, also recording what it yields (see
    /// <see cref="TestContextAsync{TKey, TValue}(Agent{TKey, TValue}, CancellationToken)"/>).</summary>
    /// <param name="agent">The agent under test.</param>
    /// <param name="ct">Cancels start-up.</param>
    public static async Task<AgentTestContext<TKey, TValue, TResult>> TestContextAsync<TKey, TValue, TResult>(this Agent<TKey, TValue, TResult> agent,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var context = new AgentTestContext<TKey, TValue, TResult>(agent);
        await context.StartAsync(ct).ConfigureAwait(false);
        return context;
    }
}
