using Faust.Agents;
using Faust.Serialization;
using Faust.Streams;
using Faust.Tables;
using Faust.Timers;
using Faust.Topics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Faust.Web.Hosting;

/// <summary>
/// Declares the topics, tables, channels and agents of the Faust.NET app hosted by an ASP.NET Core server; returned by
/// <see cref="FaustHostingExtensions.AddFaust"/>.
/// </summary>
/// <remarks>
/// <para>The declaration methods forward to <see cref="App"/> and take the same parameters; <see cref="Agent{TKey, TValue}"/> also
/// registers the agent as a hosted background service, so agents start once the worker has started and stop before
/// it commits and closes.</para>
/// <para>Declare everything before <c>builder.Build()</c>: the app starts with the host and refuses declarations after.
/// Not thread safe, like the rest of service registration.</para>
/// </remarks>
public sealed class FaustBuilder
{
    internal FaustBuilder(IServiceCollection services, IConfiguration configuration, FaustApp app)
    {
        Services = services;
        Configuration = configuration;
        App = app;
    }

    /// <summary>The host's services, for features that extend Faust.NET.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The host's configuration; the app's settings come from its <c>Faust</c> section.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>The app the host runs.</summary>
    public FaustApp App { get; }

    /// <summary>Codecs by name and the default codec of each type (see <see cref="FaustApp.Codecs"/>).</summary>
    public CodecRegistry Codecs => App.Codecs;

    /// <summary>Declares a topic (see <see cref="FaustApp.Topic{TKey, TValue}(string, int?, ICodec{TKey}?, ICodec{TValue}?)"/>).</summary>
    /// <param name="name">The topic name.</param>
    /// <param name="partitions">Partition count; default the app's <c>TopicPartitions</c> (or the topic's own when it exists).</param>
    /// <param name="keyCodec">Key codec; default raw UTF-8 for string, raw for byte[], JSON otherwise.</param>
    /// <param name="valueCodec">Value codec; same defaults.</param>
    public Topic<TKey, TValue> Topic<TKey, TValue>(string name, int? partitions = null, ICodec<TKey>? keyCodec = null, ICodec<TValue>? valueCodec = null) =>
        App.Topic(name, partitions, keyCodec, valueCodec);

    /// <summary>Declares a topic encoded as a schema says (see <see cref="FaustApp.Topic{TKey, TValue}(string, Schema{TKey, TValue}, int?)"/>).</summary>
    /// <param name="name">The topic name.</param>
    /// <param name="schema">Codecs or codec names, and header hooks.</param>
    /// <param name="partitions">Partition count; default the app's <c>TopicPartitions</c>.</param>
    public Topic<TKey, TValue> Topic<TKey, TValue>(string name, Schema<TKey, TValue> schema, int? partitions = null) =>
        App.Topic(name, schema, partitions);

    /// <summary>Declares a table (see <see cref="FaustApp.Table{TKey, TValue}(string, Func{TValue}?, int?, string?, ICodec{TKey}?, ICodec{TValue}?)"/>);
    /// <c>GET /table/{name}/{key}/</c> serves it.</summary>
    /// <param name="name">The table name.</param>
    /// <param name="defaultFactory">The value a missing key reads as; null: missing keys are not found (HTTP 404).</param>
    /// <param name="partitions">Changelog partition count; default the app's <c>TopicPartitions</c>. Must equal the source topics'.</param>
    /// <param name="help">A description for <c>GET /table/</c>.</param>
    /// <param name="keyCodec">Key codec; default as for topics.</param>
    /// <param name="valueCodec">Value codec; default as for topics.</param>
    public Table<TKey, TValue> Table<TKey, TValue>(string name, Func<TValue>? defaultFactory = null, int? partitions = null, string? help = null,
        ICodec<TKey>? keyCodec = null, ICodec<TValue>? valueCodec = null) =>
        App.Table(name, defaultFactory, partitions, help, keyCodec, valueCodec);

    /// <summary>Declares a table encoded as a schema says (see <see cref="FaustApp.Table{TKey, TValue}(string, Schema{TKey, TValue}, Func{TValue}?, int?, string?)"/>).</summary>
    /// <param name="name">The table name.</param>
    /// <param name="schema">Codecs or codec names.</param>
    /// <param name="defaultFactory">The value a missing key reads as; null: missing keys are not found (HTTP 404).</param>
    /// <param name="partitions">Changelog partition count; default the app's <c>TopicPartitions</c>. Must equal the source topics'.</param>
    /// <param name="help">A description for <c>GET /table/</c>.</param>
    public Table<TKey, TValue> Table<TKey, TValue>(string name, Schema<TKey, TValue> schema, Func<TValue>? defaultFactory = null, int? partitions = null,
        string? help = null) =>
        App.Table(name, schema, defaultFactory, partitions, help);

    /// <summary>Declares a set table (see <see cref="FaustApp.SetTable{TKey, TMember}"/>); <c>GET /table/{name}/{key}/</c> serves its sets.</summary>
    /// <param name="name">The table name.</param>
    /// <param name="partitions">Changelog partition count; default the app's <c>TopicPartitions</c>.</param>
    /// <param name="help">A description for <c>GET /table/</c>.</param>
    /// <param name="keyCodec">Key codec; default as for topics.</param>
    /// <param name="memberCodec">Member codec; default as for topics.</param>
    public SetTable<TKey, TMember> SetTable<TKey, TMember>(string name, int? partitions = null, string? help = null,
        ICodec<TKey>? keyCodec = null, ICodec<TMember>? memberCodec = null) =>
        App.SetTable(name, partitions, help, keyCodec, memberCodec);

    /// <summary>Declares an in-process channel of keyed values (see <see cref="FaustApp.Channel{TKey, TValue}"/>).</summary>
    /// <param name="name">A name for logs; default a generated one.</param>
    /// <param name="capacity">Events buffered before senders wait.</param>
    public Channel<TKey, TValue> Channel<TKey, TValue>(string? name = null, int capacity = 4096) => App.Channel<TKey, TValue>(name, capacity);

    /// <summary>Declares an in-process channel of values (see <see cref="FaustApp.Channel{T}"/>).</summary>
    /// <param name="name">A name for logs; default a generated one.</param>
    /// <param name="capacity">Events buffered before senders wait.</param>
    public Channel<T> Channel<T>(string? name = null, int capacity = 4096) => App.Channel<T>(name, capacity);

    /// <summary>Declares an agent (see <see cref="FaustApp.Agent{TKey, TValue}"/>) and runs it as a hosted background service.</summary>
    /// <param name="source">The topic or channel to read, or a source derived from them (RepartitionBy, Through, Merge).</param>
    /// <param name="handler">The agent's function; it gets the stream and the token that fires when the host stops.</param>
    /// <param name="name">The agent's name; default <c>{source}-agent</c>.</param>
    /// <param name="options">Concurrency, isolated partitions, supervision and failure policy.</param>
    public Agent<TKey, TValue> Agent<TKey, TValue>(AgentSource<TKey, TValue> source, Func<Stream<TKey, TValue>, CancellationToken, Task> handler,
        string? name = null, AgentOptions? options = null)
    {
        ThrowIfBuilt();
        return Host(App.Agent(source, handler, name, options));
    }

    /// <summary>Declares an agent that yields results (see <see cref="FaustApp.Agent{TKey, TValue, TResult}"/>) and runs it
    /// as a hosted background service.</summary>
    /// <param name="source">The topic or channel to read, or a source derived from them.</param>
    /// <param name="handler">The agent's function: an async iterator (a method or local function) over the stream.</param>
    /// <param name="name">The agent's name; default <c>{source}-agent</c>.</param>
    /// <param name="options">Concurrency, isolated partitions, supervision and failure policy.</param>
    public Agent<TKey, TValue, TResult> Agent<TKey, TValue, TResult>(AgentSource<TKey, TValue> source,
        Func<Stream<TKey, TValue>, CancellationToken, IAsyncEnumerable<TResult>> handler, string? name = null, AgentOptions? options = null)
    {
        ThrowIfBuilt();
        return Host(App.Agent(source, handler, name, options));
    }

    private void ThrowIfBuilt()
    {
        if (Services.IsReadOnly)
        {
            throw new InvalidOperationException("Declare agents before builder.Build(): each agent runs as a hosted service.");
        }
    }

    // Not AddHostedService: it de-duplicates by implementation type, and there is one service per agent.
    private TAgent Host<TAgent>(TAgent agent)
        where TAgent : IAgent
    {
        Services.AddSingleton<IHostedService>(sp => new AgentHostedService(App, agent, sp.GetRequiredService<ILogger<AgentHostedService>>()));
        return agent;
    }

    /// <summary>Declares a timer (see <see cref="FaustApp.Timer"/>) and runs it as a hosted background service.</summary>
    /// <param name="interval">Time between runs.</param>
    /// <param name="action">The code; its token fires when the host stops.</param>
    /// <param name="onLeader">Run only on the group's leader.</param>
    /// <param name="name">The name in logs.</param>
    public ScheduledTask Timer(TimeSpan interval, Func<CancellationToken, Task> action, bool onLeader = false, string? name = null) =>
        Host(App.Timer(interval, action, onLeader, name));

    /// <summary>Declares a crontab (see <see cref="FaustApp.Crontab"/>) and runs it as a hosted background service.</summary>
    /// <param name="expression">A cron expression, for example <c>30 18 * * *</c>.</param>
    /// <param name="action">The code; its token fires when the host stops.</param>
    /// <param name="timeZone">The zone the expression is read in; default UTC.</param>
    /// <param name="onLeader">Run only on the group's leader.</param>
    /// <param name="name">The name in logs.</param>
    public ScheduledTask Crontab(string expression, Func<CancellationToken, Task> action, TimeZoneInfo? timeZone = null, bool onLeader = false, string? name = null) =>
        Host(App.Crontab(expression, action, timeZone, onLeader, name));

    /// <summary>Declares a task that runs once when the worker is ready (see <see cref="FaustApp.Task"/>).</summary>
    /// <param name="action">The code; its token fires when the host stops.</param>
    /// <param name="onLeader">Run only on the group's leader.</param>
    /// <param name="name">The name in logs.</param>
    public ScheduledTask Task(Func<CancellationToken, Task> action, bool onLeader = false, string? name = null) =>
        Host(App.Task(action, onLeader, name));

    private ScheduledTask Host(ScheduledTask task)
    {
        if (Services.IsReadOnly)
        {
            throw new InvalidOperationException("Declare timers and tasks before builder.Build(): each runs as a hosted service.");
        }

        Services.AddSingleton<IHostedService>(sp => new ScheduledTaskHostedService(App, task, sp.GetRequiredService<ILogger<ScheduledTaskHostedService>>()));
        return task;
    }
}
