using Faust.Agents;
using Faust.App;
using Faust.Diagnostics;
using Faust.Processing;
using Faust.Serialization;
using Faust.Stores;
using Faust.Streams;
using Faust.Tables;
using Faust.Timers;
using Faust.Topics;
using Faust.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faust;

/// <summary>
/// A Faust.NET app: the topics, tables and agents of one stream-processing service, and the worker that runs them
/// (Faust's <c>faust.App</c>).
/// </summary>
/// <remarks>
/// <para>Declare topics, tables and agents first, then start the app. In an ASP.NET Core server,
/// <c>builder.AddFaust()</c> creates the app and runs it as hosted services; standalone, call
/// <see cref="StartAsync"/> and <see cref="StopAsync"/>.</para>
/// <para>Declaration methods are not thread safe and throw once the app has started. Topics, tables and their
/// methods are thread safe once it runs.</para>
/// </remarks>
public sealed partial class FaustApp : IAsyncDisposable
{
    private readonly List<ITopicView> _topics = [];
    private readonly List<ITableView> _tables = [];
    private readonly List<IAgent> _agents = [];
    private readonly List<ScheduledTask> _scheduled = [];
    private readonly List<(string Name, Task Task)> _agentTasks = [];
    private readonly CancellationTokenSource _agentsStopping = new();
    private readonly TaskCompletionSource<Exception> _crashed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _repliesLock = new(1, 1);
    private ReplyConsumer? _replies;
    private readonly TaskCompletionSource _workerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ILoggerFactory _loggerFactory;
    private Worker? _worker;
    private int _state;
    private int _disposed;

    /// <summary>Creates an app.</summary>
    /// <param name="options">Settings; default values when null. They may be replaced until the app starts.</param>
    /// <param name="loggerFactory">Where logs go; nowhere when null.</param>
    /// <param name="timeProvider">The clock for commit intervals and timers; the system clock when null.</param>
    public FaustApp(FaustOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        Options = options ?? new FaustOptions();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The app's settings.</summary>
    public FaustOptions Options { get; private set; }

    /// <summary>Codecs by name (<c>raw</c>, <c>string</c>, <c>json</c>, <c>binary</c>, chains such as <c>json|binary</c>,
    /// and your own), and the default codec of each type. Register codecs before declaring the topics and tables that
    /// name them.</summary>
    public CodecRegistry Codecs { get; } = new();

    /// <summary>The clock the app uses.</summary>
    public TimeProvider Time { get; private set; }

    /// <summary>True once every assigned table partition has recovered and agents receive events; false again while
    /// partitions a rebalance assigned recover from their changelogs.</summary>
    public bool IsReady => _worker?.IsReady ?? false;

    /// <summary>Completes when the app is first ready (see <see cref="IsReady"/>).</summary>
    public Task WhenReady => _worker?.Ready ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>True while the app runs.</summary>
    public bool IsRunning => Volatile.Read(ref _state) == 1;

    /// <summary>Why an agent's supervisor stopped the worker (see <see cref="AgentOptions"/>), or null.</summary>
    public Exception? Fault => _crashed.Task.IsCompleted ? _crashed.Task.Result : null;

    /// <summary>Completes, with the reason, when an agent's supervisor stops the worker: its agents stop, and the host
    /// is expected to stop the app (<c>AddFaust</c> stops the ASP.NET Core host).</summary>
    public Task<Exception> WhenCrashed => _crashed.Task;

    internal bool HasStarted => Volatile.Read(ref _state) != 0;

    internal IReadOnlyList<ITopicView> TopicViews => _topics;

    internal IReadOnlyList<ITableView> TableViews => _tables;

    internal IReadOnlyList<IAgent> AgentList => _agents;

    internal IReadOnlyList<ScheduledTask> ScheduledTasks => _scheduled;

    internal IStoreFactory StoreFactory { get; set; } = new MemoryStoreFactory();

    internal Worker? Worker => _worker;

    /// <summary>Test hook handed to the worker's recovery: while it returns true for a changelog partition, that
    /// partition is not read (see <see cref="TableRecovery.Hold"/>).</summary>
    internal Func<TopicPartition, bool>? RecoveryHold { get; set; }

    /// <summary>Test hook: wraps the worker's transport (a stand-in for a broker's timing, such as Kafka publishing
    /// an assignment only after the assigned callback returned).</summary>
    internal Func<ITransport, ITransport>? WrapTransport { get; set; }

    internal FaustMonitor Monitor { get; } = new();

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
        ThrowIfStarted();
        if (_topics.Any(t => t.Name == name))
        {
            throw new ArgumentException($"Topic '{name}' is already declared in this app.", nameof(name));
        }

        var topic = new Topic<TKey, TValue>(this, name, partitions, schema, isInternal: false);
        _topics.Add(topic);
        return topic;
    }

    /// <summary>Declares an in-process channel of keyed values.</summary>
    /// <param name="name">A name for logs; default a generated one.</param>
    /// <param name="capacity">Events buffered before senders wait.</param>
    public Channel<TKey, TValue> Channel<TKey, TValue>(string? name = null, int capacity = 4096)
    {
        ThrowIfStarted();
        return new Channel<TKey, TValue>(this, name ?? $"channel-{Guid.NewGuid():N}", capacity);
    }

    /// <summary>Declares an in-process channel of values.</summary>
    /// <param name="name">A name for logs; default a generated one.</param>
    /// <param name="capacity">Events buffered before senders wait.</param>
    public Channel<T> Channel<T>(string? name = null, int capacity = 4096)
    {
        ThrowIfStarted();
        return new Channel<T>(this, name ?? $"channel-{Guid.NewGuid():N}", capacity);
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
        ThrowIfStarted();
        if (_tables.Any(t => t.Name == name))
        {
            throw new ArgumentException($"Table '{name}' is already declared in this app.", nameof(name));
        }

        var table = new Table<TKey, TValue>(this, name, defaultFactory, partitions, help, schema);
        _tables.Add(table);
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
        ThrowIfStarted();
        if (_tables.Any(t => t.Name == name))
        {
            throw new ArgumentException($"Table '{name}' is already declared in this app.", nameof(name));
        }

        var table = new Table<TKey, TValue>(this, name, defaultFactory, partitions, help, new Schema<TKey, TValue> { KeyCodec = keyCodec, ValueCodec = valueCodec }, global: true);
        _tables.Add(table);
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
        ThrowIfStarted();
        if (_tables.Any(t => t.Name == name))
        {
            throw new ArgumentException($"Table '{name}' is already declared in this app.", nameof(name));
        }

        var table = new SetTable<TKey, TMember>(this, name, partitions, help, keyCodec, memberCodec);
        _tables.Add(table);
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
        ThrowIfStarted();
        if (!ReferenceEquals(source.App, this))
        {
            throw new ArgumentException($"'{source.Name}' belongs to another app.", nameof(source));
        }

        var agentName = name ?? $"{source.Name}-agent";
        if (_agents.Any(a => a.Name == agentName))
        {
            throw new ArgumentException($"An agent named '{agentName}' is already declared; give the agent a name.", nameof(name));
        }

        return agentName;
    }

    private TAgent AddAgent<TAgent, TKey, TValue>(TAgent agent)
        where TAgent : Agent<TKey, TValue>
    {
        agent.Declare();
        _agents.Add(agent);
        return agent;
    }

    /// <summary>Declares a topic the app owns (repartition, dead-letter): created at start, closed to HTTP produce.</summary>
    internal void DeclareInternalTopic(ITopicView topic)
    {
        ThrowIfStarted();
        if (!_topics.Contains(topic))
        {
            _topics.Add(topic);
        }
    }

    /// <summary>An agent's supervisor gave up: record why, stop every agent of the app, and tell the host.</summary>
    internal void Crash(Exception reason)
    {
        if (_crashed.TrySetResult(reason))
        {
            _agentsStopping.Cancel();
        }
    }

    /// <summary>This worker's reply consumer (Faust's <c>reply_to</c> topic), started at the first request.</summary>
    internal async Task<ReplyConsumer> RepliesAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _replies) is { } replies)
        {
            return replies;
        }

        await _repliesLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return _replies ??= await ReplyConsumer.StartAsync(RequireWorker(), ct).ConfigureAwait(false);
        }
        finally
        {
            _repliesLock.Release();
        }
    }

    /// <summary>Declares a timer (Faust's <c>@app.timer</c>): runs <paramref name="action"/> every
    /// <paramref name="interval"/>, the first time one interval after the worker is ready.</summary>
    /// <param name="interval">Time between runs (from one due time to the next).</param>
    /// <param name="action">The code; its token fires when the worker stops.</param>
    /// <param name="onLeader">Run only on the group's leader (see <see cref="ScheduledTask"/>).</param>
    /// <param name="name">The name in logs; default <c>timer-{n}</c>.</param>
    public ScheduledTask Timer(TimeSpan interval, Func<CancellationToken, Task> action, bool onLeader = false, string? name = null) =>
        AddScheduled(ScheduledTask.Every(name ?? $"timer-{_scheduled.Count + 1}", interval, onLeader, action));

    /// <summary>Declares a crontab (Faust's <c>@app.crontab</c>): runs <paramref name="action"/> at the times a cron
    /// expression names (five fields, or six with seconds first), in <paramref name="timeZone"/>.</summary>
    /// <param name="expression">For example <c>30 18 * * *</c>: every day at 18:30.</param>
    /// <param name="action">The code; its token fires when the worker stops.</param>
    /// <param name="timeZone">The zone the expression is read in; default UTC.</param>
    /// <param name="onLeader">Run only on the group's leader (see <see cref="ScheduledTask"/>).</param>
    /// <param name="name">The name in logs; default <c>crontab-{n}</c>.</param>
    /// <exception cref="ArgumentException">The expression is not valid; the message says why.</exception>
    public ScheduledTask Crontab(string expression, Func<CancellationToken, Task> action, TimeZoneInfo? timeZone = null, bool onLeader = false, string? name = null) =>
        AddScheduled(ScheduledTask.Cron(name ?? $"crontab-{_scheduled.Count + 1}", expression, timeZone, onLeader, action));

    /// <summary>Declares a task (Faust's <c>@app.task</c>): runs <paramref name="action"/> once, when the worker is
    /// ready (started and tables recovered).</summary>
    /// <param name="action">The code; its token fires when the worker stops.</param>
    /// <param name="onLeader">Run only on the group's leader.</param>
    /// <param name="name">The name in logs; default <c>task-{n}</c>.</param>
    public ScheduledTask Task(Func<CancellationToken, Task> action, bool onLeader = false, string? name = null) =>
        AddScheduled(ScheduledTask.Once(name ?? $"task-{_scheduled.Count + 1}", onLeader, action));

    private ScheduledTask AddScheduled(ScheduledTask task)
    {
        ThrowIfStarted();
        if (_scheduled.Any(t => t.Name == task.Name))
        {
            throw new ArgumentException($"A scheduled task named '{task.Name}' is already declared.", nameof(task));
        }

        _scheduled.Add(task);
        return task;
    }

    /// <summary>Starts the worker and every agent. Completes once the worker consumes; tables recover in the
    /// background (see <see cref="WhenReady"/>).</summary>
    /// <exception cref="InvalidOperationException">A setting is invalid (the message names it) or the broker refused.</exception>
    public async Task StartAsync(CancellationToken ct = default)
    {
        await StartWorkerAsync(ct).ConfigureAwait(false);
        foreach (var agent in _agents)
        {
            _agentTasks.Add((agent.Name, RunAsync(agent, _agentsStopping.Token)));
        }

        foreach (var task in _scheduled)
        {
            _agentTasks.Add((task.Name, RunAsync(task, _agentsStopping.Token)));
        }
    }

    /// <summary>Stops the agents (each finishes the event it is processing), commits what was processed and
    /// closes the broker connection.</summary>
    /// <remarks>An agent that does not stop within 10 seconds (stuck in an event, deaf to cancellation) is logged and
    /// left behind: the worker still commits what was acknowledged (under exactly_once it commits nothing while that
    /// event is in flight) and leaves the group, so one stuck agent never holds a shutdown for ever.</remarks>
    public async Task StopAsync(CancellationToken ct = default)
    {
        await _agentsStopping.CancelAsync().ConfigureAwait(false);
        await WaitForAgentsAsync(ct).ConfigureAwait(false);
        await StopWorkerAsync(ct).ConfigureAwait(false);
    }

    /// <summary>How long a stop waits for agents to finish their event before it goes on without them (and how long
    /// the final exactly_once commit waits for an event in flight). Settable for tests.</summary>
    internal TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

    // Waits up to StopGrace for the agents' tasks; logs the ones still running after it.
    private async Task WaitForAgentsAsync(CancellationToken ct)
    {
        try
        {
            await System.Threading.Tasks.Task.WhenAll(_agentTasks.Select(a => a.Task)).WaitAsync(StopGrace, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var stuck = string.Join(", ", _agentTasks.Where(a => !a.Task.IsCompleted).Select(a => a.Name));
            LogAgentsStuck(_loggerFactory.CreateLogger("Faust.App"), StopGrace.TotalSeconds, stuck);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agents still running {Seconds} s after they were told to stop: {Agents}. The worker stops without them; an event they are in is not committed and will be processed again.")]
    private static partial void LogAgentsStuck(ILogger logger, double seconds, string agents);

    /// <summary>Commits what agents have acknowledged now, instead of waiting for the commit interval.</summary>
    /// <returns>The offsets committed, per partition.</returns>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> CommitAsync(CancellationToken ct = default) =>
        await RequireWorker().CommitAsync(ct).ConfigureAwait(false);

    internal void Configure(FaustOptions options, ILoggerFactory loggerFactory, TimeProvider time)
    {
        ThrowIfStarted();
        Options = options;
        _loggerFactory = loggerFactory;
        Time = time;
    }

    internal async Task StartWorkerAsync(CancellationToken ct)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The app has already started.");
        }

        try
        {
            Options.ThrowIfInvalid();
            StoreFactory = Options.UsesRocksDb ? new RocksDbStoreFactory(Options.TableDirectory, Options.RocksDb) : new MemoryStoreFactory();
            var transport = TransportFactory.Create(Options, _loggerFactory);
            transport = WrapTransport?.Invoke(transport) ?? transport;
            var worker = new Worker(this, transport, _loggerFactory.CreateLogger("Faust.Worker"), Time);
            Monitor.Attach(worker, Time);
            try
            {
                await worker.StartAsync(ct).ConfigureAwait(false);
            }
            catch
            {
                await worker.DisposeAsync().ConfigureAwait(false);
                Monitor.Detach();
                throw;
            }

            _worker = worker;
        }
        catch
        {
            Volatile.Write(ref _state, 0);
            throw;
        }
    }

    internal System.Threading.Tasks.Task RunAsync(IWorkerTask task, CancellationToken stopping)
    {
        var worker = RequireWorker();
        return System.Threading.Tasks.Task.Run(async () =>
        {
            // A crash (an agent's supervisor stopping the worker) stops every agent, hosted ones included.
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _agentsStopping.Token);
            await task.RunAsync(worker, linked.Token).ConfigureAwait(false);
        }, CancellationToken.None);
    }

    /// <summary>Starts the worker alone on a private in-memory broker, with memory stores and no agent: an agent test
    /// context then runs its one agent on it.</summary>
    internal async Task<Worker> StartForTestAsync(CancellationToken ct)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("A test context runs its agent alone on an app that has not started; declare a separate app for the test.");
        }

        try
        {
            var options = Options.Clone();
            options.Broker = $"memory://faust-test-{Guid.NewGuid():N}";
            options.ThrowIfInvalid();
            Options = options;
            StoreFactory = new MemoryStoreFactory();
            var worker = new Worker(this, TransportFactory.Create(Options, _loggerFactory), _loggerFactory.CreateLogger("Faust.Worker"), Time, agents: []);
            try
            {
                await worker.StartAsync(ct).ConfigureAwait(false);
            }
            catch
            {
                await worker.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            _worker = worker;
            return worker;
        }
        catch
        {
            Volatile.Write(ref _state, 0);
            throw;
        }
    }

    // Every caller returns once the worker is stopped, not only the first: a host may stop its hosted services twice
    // side by side (WebApplicationFactory's dispose and the app's own Run both call IHost.StopAsync), and the caller
    // that came second must not go on (dispose the host, the broker) while the worker still commits and closes.
    internal async Task StopWorkerAsync(CancellationToken ct)
    {
        var worker = _worker;
        if (worker is null)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _state, 2, 1) == 1)
        {
            try
            {
                if (Interlocked.Exchange(ref _replies, null) is { } replies)
                {
                    await replies.DisposeAsync().ConfigureAwait(false);
                }

                await worker.DisposeAsync().ConfigureAwait(false);
                Monitor.Detach();
                _workerStopped.TrySetResult();
            }
            catch (Exception ex)
            {
                _workerStopped.TrySetException(ex);
            }
        }

        await _workerStopped.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    internal Worker RequireWorker() =>
        _worker ?? throw new InvalidOperationException("The Faust app has not started: send to topics and write tables once it runs.");

    private void ThrowIfStarted()
    {
        if (Volatile.Read(ref _state) != 0)
        {
            throw new InvalidOperationException("Declare topics, tables and agents before the app starts.");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync().ConfigureAwait(false);
        _agentsStopping.Dispose();
    }
}
