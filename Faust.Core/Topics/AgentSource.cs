using Faust.Agents;
using Faust.Processing;
using Faust.Streams;

namespace Faust.Topics;

/// <summary>Something an agent can read: a <see cref="Topic{TKey, TValue}"/> or an in-process <see cref="Channel{TKey, TValue}"/>.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public abstract class AgentSource<TKey, TValue>
{
    private protected AgentSource(FaustApp app, string name)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        App = app;
        Name = name;
    }

    /// <summary>The topic or channel name.</summary>
    public string Name { get; }

    internal FaustApp App { get; }

    /// <summary>The topic an agent on this source subscribes to, or null for in-process channels.</summary>
    internal abstract string? SubscribedTopic { get; }

    internal abstract IEventReader<TKey, TValue> CreateReader(Worker worker, IAgent agent);
}
