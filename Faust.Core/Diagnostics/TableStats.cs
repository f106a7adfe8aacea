using System.Runtime.CompilerServices;

namespace Faust.Diagnostics;

/// <summary>A table registered with the monitor: its index into the agents' table counters, and the counters shared
/// by callers outside any agent.</summary>
internal sealed class TableStats(int index, string name)
{
    public int Index { get; } = index;

    public string Name { get; } = name;

    public TableOps Shared { get; } = new();

    /// <summary>The counters to bump for a call made by <paramref name="agent"/>, or by no agent (null).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TableOps For(AgentStats? agent, out bool shared)
    {
        shared = agent is null;
        return agent is null ? Shared : agent.TableOps(Index);
    }
}
