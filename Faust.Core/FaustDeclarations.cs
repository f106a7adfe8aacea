using Faust.Agents;
using Faust.Runtime;
using Faust.Serialization;
using Faust.Streams;
using Faust.Tables;
using Faust.Timers;
using Faust.Topics;

namespace Faust;

/// <summary>
/// The declarations of a Faust.NET app: its topics, channels, tables, agents, timers and tasks. <see cref="FaustApp"/>
/// declares them on itself; an ASP.NET Core host's builder (<c>builder.AddFaust()</c>) declares them on the app it
/// hosts and also runs each agent and timer as a hosted service.
/// </summary>
/// <remarks>
/// <para>Declare everything before the app starts; declaring after throws. Not thread safe.</para>
/// </remarks>
public abstract class FaustDeclarations
{
    private protected FaustDeclarations()
    {
    }

    /// <summary>Codecs by name (<c>raw</c>, <c>string</c>, <c>json</c>, <c>binary</c>, chains such as <c>json|binary</c>,
    /// and your own), and the default codec of each type. Register codecs before declaring the topics and tables that
    /// name them.</summary>
    public CodecRegistry Codecs => DeclaringApp.Runtime.Codecs;

    /// <summary>The app the declarations go to.</summary>
    private protected abstract FaustApp DeclaringApp { get; }

    /// <summary>Called before an agent, timer or task is declared; throws when it cannot be run.</summary>
    /// <param name="what">What is being declared, for the message.</param>
    private protected virtual void CheckCanHost(string what)
    {
    }

    /// <summary>Called once an agent, timer or task is declared.</summary>
    private protected virtual void OnTaskDeclared(IWorkerTask task)
    {
    }

    /// <summary>Declares a topic.</summary>
    /// <param name="name">The topic name.</param>
    /// <param name="partitions">Partition count; default the app's <c>TopicPartitions</c> (or the topic's own when it exists).</param>
    /// <param name="keyCodec">Key codec; default raw UTF-8 for string, raw for byte[], JSON otherwise.</param>
    /// <param name="valueCodec">Value codec; same defaults.</param>
    public Topic<TKey, TValue> Topic<TKey, TValue>(string name, int? partitions = null, ICodec<TKey>? keyCodec = null, ICodec<TValue>? valueCodec = null) =>
        Topic(name, new Schema<TKey, TValue> { KeyCodec = keyCodec, ValueCodec = valueCodec }, partitions);

    /// <summary>Declares a topic whose keys and values are encoded as a schema says (Faust's <c>app.topic(schema=...)</c>).</summary>
    /// <param name="name">The topic name.</param>
    /// <param name="schema">Codecs or codec names (resolved by <see cref="Codecs"/>), and header hooks.</param>
    /// <param name="partitions">Partition count; default the app's <c>TopicPartitions</c> (or the topic's own when it exists).</param>
    /// <exception cref="ArgumentException">A codec name does not resolve, or the schema gives both a codec and a name.</exception>
    public Topic<TKey, TValue> Topic<TKey, TValue>(string name, Schema<TKey, TValue> schema, int? partitions = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        DeclaringApp.ThrowIfStarted();
        if (DeclaringApp.TopicRegistry.Any(t => t.Name == name))
        {
            throw new ArgumentException($"Topic '{name}' is already declared in this app.", nameof(name));
        }

        var topic = new Topic<TKey, TValue>(DeclaringApp.Runtime, name, partitions, schema, isInternal: false);
        DeclaringApp.TopicRegistry.Add(topic);
        return topic;
    }

    /// <summary>Declares an in-process channel of keyed values.</summary>
    /// <param name="name">A name for logs; default a generated one.</param>
    /// <param name="capacity">Events buffered before senders wait.</param>
    public Channel<TKey, TValue> Channel<TKey, TValue>(string? name = null, int capacity = 4096)
    {
        DeclaringApp.ThrowIfStarted();
        return new Channel<TKey, TValue>(DeclaringApp.Runtime, name ?? $"channel-{Guid.NewGuid():N}", capacity);
    }

    /// <summary>Declares an in-process channel of values.</summary>
    /// <param name="name">A name for logs; default a generated one.</param>
    /// <param name="capacity">Events buffered before senders wait.</param>
    public Channel<T> Channel<T>(string? name = null, int capacity = 4096)
    {
        DeclaringApp.ThrowIfStarted();
        return new Channel<T>(DeclaringApp.Runtime, name ?? $"channel-{Guid.NewGuid():N}", capacity);
    }

    /// <summary>Declares a table with a changelog topic <c>{app id}-{name}-changelog</c>.</summary>
    /// <param name="name">The table name.</param>
    /// <param name="defaultFactory">The value a missing key reads as (Faust's <c>default=</c>); null: missing keys are not found.</param>
    /// <param name="partitions">Changelog partition count; default the app's <c>TopicPartitions</c>. Must equal the source topics'.</param>
    /// <param name="help">A description for <c>GET /table/</c>.</param>
    /// <param name="keyCodec">Key codec; default as for topics.</param>
    /// <param name="valueCodec">Value codec; default as for topics.</param>
    public Table<TKey, TValue> Table<TKey, TValue>(string name, Func<TValue>? defaultFactory = null, int? partitions = null, string? help = null,
        ICodec<TKey>? keyCodec = null, ICodec<TValue>? valueCodec = null) =>
        Table(name, new Schema<TKey, TValue> { KeyCodec = keyCodec, ValueCodec = valueCodec }, defaultFactory, partitions, help);

    /// <summary>Declares a table whose keys and values (in the store and the changelog) are encoded as a schema says.</summary>
    /// <param name="name">The table name.</param>
    /// <param name="schema">Codecs or codec names (resolved by <see cref="Codecs"/>); header hooks do not apply to tables.</param>
    /// <param name="defaultFactory">The value a missing key reads as; null: missing keys are not found.</param>
    /// <param name="partitions">Changelog partition count; default the app's <c>TopicPartitions</c>. Must equal the source topics'.</param>
    /// <param name="help">A description for <c>GET /table/</c>.</param>
    /// <exception cref="ArgumentException">A codec name does not resolve, or the schema gives both a codec and a name.</exception>
    public Table<TKey, TValue> Table<TKey, TValue>(string name, Schema<TKey, TValue> schema, Func<TValue>? defaultFactory = null, int? partitions = null,
        string? help = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        DeclaringApp.ThrowIfStarted();
        if (DeclaringApp.TableRegistry.Any(t => t.Name == name))
        {
            throw new ArgumentException($"Table '{name}' is already declared in this app.", nameof(name));
        }

        var table = new Table<TKey, TValue>(DeclaringApp.Runtime, name, defaultFactory, partitions, help, schema);
        DeclaringApp.TableRegistry.Add(table);
        return table;
    }

    /// <summary>Declares a global table (Faust's <c>GlobalTable</c>): every worker holds every partition, kept current
    /// from the changelog <c>{app id}-{name}-changelog</c>, so any worker reads any key locally.</summary>
    /// <remarks>
    /// <para>Writes go, as for <see cref="Table{TKey, TValue}(string, Func{TValue}?, int?, string?, ICodec{TKey}?, ICodec{TValue}?)"/>,
    /// to the changelog partition of the event being processed, by the worker that owns it; writing a partition
    /// another worker owns throws <see cref="InvalidOperationException"/>.</para>
    /// <para>On start a worker recovers every partition before it is ready, then follows the partitions it does not
    /// own on a background thread: another worker's write becomes visible here after the changelog delay (its
    /// commit interval plus one read), so reads are eventually consistent. Reads are thread safe.</para>
    /// </remarks>
    /// <param name="name">The table name.</param>
    /// <param name="defaultFactory">The value a missing key reads as; null: missing keys are not found.</param>
    /// <param name="partitions">Changelog partition count; default the app's <c>TopicPartitions</c>. Must equal the source topics'.</param>
    /// <param name="help">A description for <c>GET /table/</c>.</param>
    /// <param name="keyCodec">Key codec; default as for topics.</param>
    /// <param name="valueCodec">Value codec; default as for topics.</param>
    public Table<TKey, TValue> GlobalTable<TKey, TValue>(string name, Func<TValue>? defaultFactory = null, int? partitions = null, string? help = null,
        ICodec<TKey>? keyCodec = null, ICodec<TValue>? valueCodec = null)
    {
        DeclaringApp.ThrowIfStarted();
        if (DeclaringApp.TableRegistry.Any(t => t.Name == name))
        {
            throw new ArgumentException($"Table '{name}' is already declared in this app.", nameof(name));
        }

        var table = new Table<TKey, TValue>(DeclaringApp.Runtime, name, defaultFactory, partitions, help, new Schema<TKey, TValue> { KeyCodec = keyCodec, ValueCodec = valueCodec }, global: true);
        DeclaringApp.TableRegistry.Add(table);
        return table;
    }

    /// <summary>Declares a set table (Faust's <c>SetTable</c>): each key holds a set; add and discard travel in the
    /// changelog as one record per member.</summary>
    /// <param name="name">The table name.</param>
    /// <param name="partitions">Changelog partition count; default the app's <c>TopicPartitions</c>.</param>
    /// <param name="help">A description for <c>GET /table/</c>.</param>
    /// <param name="keyCodec">Key codec; default as for topics.</param>
    /// <param name="memberCodec">Member codec; default as for topics.</param>
    public SetTable<TKey, TMember> SetTable<TKey, TMember>(string name, int? partitions = null, string? help = null,
        ICodec<TKey>? keyCodec = null, ICodec<TMember>? memberCodec = null)
    {
        DeclaringApp.ThrowIfStarted();
        if (DeclaringApp.TableRegistry.Any(t => t.Name == name))
        {
            throw new ArgumentException($"Table '{name}' is already declared in this app.", nameof(name));
        }

        var table = new SetTable<TKey, TMember>(DeclaringApp.Runtime, name, partitions, help, keyCodec, memberCodec);
        DeclaringApp.TableRegistry.Add(table);
        return table;
    }

    /// <summary>Declares an agent: <paramref name="handler"/> processes the stream of <paramref name="source"/>.</summary>
    /// <param name="source">The topic or channel to read, or a source derived from them (<see cref="AgentSource{TKey, TValue}.RepartitionBy"/>,
    /// <see cref="AgentSource{TKey, TValue}.Through"/>, <see cref="AgentSource{TKey, TValue}.Merge"/>).</param>
    /// <param name="handler">The agent's function; it gets the stream and the token that fires when the worker stops.</param>
    /// <param name="name">The agent's name; default <c>{source}-agent</c>. It names the agent's internal topics.</param>
    /// <param name="options">Concurrency, isolated partitions, supervision and failure policy; default <see cref="AgentOptions"/>'s defaults.</param>
    /// <exception cref="ArgumentException">The name is taken, or an option is not valid (the message says which).</exception>
    public Agent<TKey, TValue> Agent<TKey, TValue>(AgentSource<TKey, TValue> source, Func<Stream<TKey, TValue>, CancellationToken, Task> handler,
        string? name = null, AgentOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var agentName = CheckAgent(source, name);
        return AddAgent<Agent<TKey, TValue>, TKey, TValue>(new Agent<TKey, TValue>(agentName, source, options ?? new AgentOptions(), handler));
    }

    /// <summary>Declares an agent that yields results (Faust's agents that <c>yield</c>): each result answers the request
    /// it was yielded for (<see cref="Agent{TKey, TValue, TResult}.AskAsync"/>) and goes to the agent's sinks.</summary>
    /// <param name="source">The topic or channel to read, or a source derived from them.</param>
    /// <param name="handler">The agent's function: an async iterator (a method or local function) over the stream.</param>
    /// <param name="name">The agent's name; default <c>{source}-agent</c>.</param>
    /// <param name="options">Concurrency, isolated partitions, supervision and failure policy.</param>
    /// <exception cref="ArgumentException">The name is taken, or an option is not valid (the message says which).</exception>
    public Agent<TKey, TValue, TResult> Agent<TKey, TValue, TResult>(AgentSource<TKey, TValue> source,
        Func<Stream<TKey, TValue>, CancellationToken, IAsyncEnumerable<TResult>> handler, string? name = null, AgentOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var agentName = CheckAgent(source, name);
        return AddAgent<Agent<TKey, TValue, TResult>, TKey, TValue>(new Agent<TKey, TValue, TResult>(agentName, source, options ?? new AgentOptions(), handler));
    }

    private string CheckAgent<TKey, TValue>(AgentSource<TKey, TValue> source, string? name)
    {
        ArgumentNullException.ThrowIfNull(source);
        DeclaringApp.ThrowIfStarted();
        CheckCanHost("agents");
        if (!ReferenceEquals(source.App, DeclaringApp.Runtime))
        {
            throw new ArgumentException($"'{source.Name}' belongs to another app.", nameof(source));
        }

        var agentName = name ?? $"{source.Name}-agent";
        if (DeclaringApp.AgentRegistry.Any(a => a.Name == agentName))
        {
            throw new ArgumentException($"An agent named '{agentName}' is already declared; give the agent a name.", nameof(name));
        }

        return agentName;
    }

    private TAgent AddAgent<TAgent, TKey, TValue>(TAgent agent)
        where TAgent : Agent<TKey, TValue>
    {
        agent.Declare();
        DeclaringApp.AgentRegistry.Add(agent);
        OnTaskDeclared(agent);
        return agent;
    }

    /// <summary>Declares a timer (Faust's <c>@app.timer</c>): runs <paramref name="action"/> every
    /// <paramref name="interval"/>, the first time one interval after the worker is ready.</summary>
    /// <param name="interval">Time between runs (from one due time to the next).</param>
    /// <param name="action">The code; its token fires when the worker stops.</param>
    /// <param name="onLeader">Run only on the group's leader (see <see cref="ScheduledTask"/>).</param>
    /// <param name="name">The name in logs; default <c>timer-{n}</c>.</param>
    public ScheduledTask Timer(TimeSpan interval, Func<CancellationToken, Task> action, bool onLeader = false, string? name = null) =>
        AddScheduled(ScheduledTask.Every(name ?? $"timer-{DeclaringApp.ScheduledRegistry.Count + 1}", interval, onLeader, action));

    /// <summary>Declares a crontab (Faust's <c>@app.crontab</c>): runs <paramref name="action"/> at the times a cron
    /// expression names (five fields, or six with seconds first), in <paramref name="timeZone"/>.</summary>
    /// <param name="expression">For example <c>30 18 * * *</c>: every day at 18:30.</param>
    /// <param name="action">The code; its token fires when the worker stops.</param>
    /// <param name="timeZone">The zone the expression is read in; default UTC.</param>
    /// <param name="onLeader">Run only on the group's leader (see <see cref="ScheduledTask"/>).</param>
    /// <param name="name">The name in logs; default <c>crontab-{n}</c>.</param>
    /// <exception cref="ArgumentException">The expression is not valid; the message says why.</exception>
    public ScheduledTask Crontab(string expression, Func<CancellationToken, Task> action, TimeZoneInfo? timeZone = null, bool onLeader = false, string? name = null) =>
        AddScheduled(ScheduledTask.Cron(name ?? $"crontab-{DeclaringApp.ScheduledRegistry.Count + 1}", expression, timeZone, onLeader, action));

    /// <summary>Declares a start-up task (Faust's <c>@app.task</c>): runs <paramref name="action"/> once, when the worker is
    /// ready (started and tables recovered).</summary>
    /// <param name="action">The code; its token fires when the worker stops.</param>
    /// <param name="onLeader">Run only on the group's leader.</param>
    /// <param name="name">The name in logs; default <c>task-{n}</c>.</param>
    public ScheduledTask StartupTask(Func<CancellationToken, Task> action, bool onLeader = false, string? name = null) =>
        AddScheduled(ScheduledTask.Once(name ?? $"task-{DeclaringApp.ScheduledRegistry.Count + 1}", onLeader, action));

    private ScheduledTask AddScheduled(ScheduledTask task)
    {
        DeclaringApp.ThrowIfStarted();
        if (DeclaringApp.ScheduledRegistry.Any(t => t.Name == task.Name))
        {
            throw new ArgumentException($"A scheduled task named '{task.Name}' is already declared.", nameof(task));
        }

        CheckCanHost("timers and tasks");
        DeclaringApp.ScheduledRegistry.Add(task);
        OnTaskDeclared(task);
        return task;
    }
}
