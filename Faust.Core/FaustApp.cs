using Faust.Agents;
using Faust.App;
using Faust.Diagnostics;
using Faust.Processing;
using Faust.Runtime;
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
public sealed partial class FaustApp : FaustDeclarations, IAsyncDisposable
{
    private readonly List<ITopicView> _topics = [];
    private readonly List<ITableView> _tables = [];
    private readonly List<IAgent> _agents = [];
    private readonly List<ScheduledTask> _scheduled = [];
    private readonly List<(string Name, Task Task)> _agentTasks = [];
    private readonly CancellationTokenSource _agentsStopping = new();
    private readonly TaskCompletionSource<Exception> _crashed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _workerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ILoggerFactory _loggerFactory;
    private Worker? _worker;
    private int _disposed;

    /// <summary>Creates an app.</summary>
    /// <param name="options">Settings; default values when null. They may be replaced until the app starts.</param>
    /// <param name="loggerFactory">Where logs go; nowhere when null.</param>
    /// <param name="timeProvider">The clock for commit intervals and timers; the system clock when null.</param>
    public FaustApp(FaustOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        Runtime = new AppRuntime(new CodecRegistry(), new FaustMonitor())
        {
            Options = options ?? new FaustOptions(),
            Time = timeProvider ?? TimeProvider.System,
            Crash = Crash,
            DeclareInternalTopic = topic => DeclareInternalTopic((ITopicView)topic),
            StartForTest = async ct => await StartForTestAsync(ct).ConfigureAwait(false),
            StopWorker = StopWorkerAsync,
        };
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>The app's settings.</summary>
    public FaustOptions Options
    {
        get => Runtime.Options;
        private set => Runtime.Options = value;
    }

    /// <summary>The clock the app uses.</summary>
    public TimeProvider Time
    {
        get => Runtime.Time;
        private set => Runtime.Time = value;
    }

    /// <summary>True once every assigned table partition has recovered and agents receive events; false again while
    /// partitions a rebalance assigned recover from their changelogs.</summary>
    public bool IsReady => _worker?.IsReady ?? false;

    /// <summary>Completes when the app is first ready (see <see cref="IsReady"/>).</summary>
    public Task WhenReady => _worker?.Ready ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>True while the app runs.</summary>
    public bool IsRunning => Runtime.IsRunning;

    /// <summary>Why an agent's supervisor stopped the worker (see <see cref="AgentOptions"/>), or null.</summary>
    public Exception? Fault => _crashed.Task.IsCompleted ? _crashed.Task.Result : null;

    /// <summary>Completes, with the reason, when an agent's supervisor stops the worker: its agents stop, and the host
    /// is expected to stop the app (<c>AddFaust</c> stops the ASP.NET Core host).</summary>
    public Task<Exception> WhenCrashed => _crashed.Task;

    /// <summary>What the app's topics, tables, agents and timers reach of it.</summary>
    internal AppRuntime Runtime { get; }

    internal bool HasStarted => Runtime.HasStarted;

    internal IReadOnlyList<ITopicView> TopicViews => _topics;

    internal IReadOnlyList<ITableView> TableViews => _tables;

    internal IReadOnlyList<IAgent> AgentList => _agents;

    internal IReadOnlyList<ScheduledTask> ScheduledTasks => _scheduled;

    internal List<ITopicView> TopicRegistry => _topics;

    internal List<ITableView> TableRegistry => _tables;

    internal List<IAgent> AgentRegistry => _agents;

    internal List<ScheduledTask> ScheduledRegistry => _scheduled;

    private protected override FaustApp DeclaringApp => this;

    internal IStoreFactory StoreFactory
    {
        get => Runtime.StoreFactory;
        set => Runtime.StoreFactory = value;
    }

    internal Worker? Worker => _worker;

    /// <summary>The running worker as a host reads it, or null before the app starts.</summary>
    internal Hosting.IWorkerView? Engine => _worker;

    /// <summary>Test hook handed to the worker's recovery: while it returns true for a changelog partition, that
    /// partition is not read (see <see cref="TableRecovery.Hold"/>).</summary>
    internal Func<TopicPartition, bool>? RecoveryHold { get; set; }

    /// <summary>Test hook: wraps the worker's transport (a stand-in for a broker's timing, such as Kafka publishing
    /// an assignment only after the assigned callback returned).</summary>
    internal Func<ITransport, ITransport>? WrapTransport { get; set; }

    internal FaustMonitor Monitor => Runtime.Monitor;

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
            await Task.WhenAll(_agentTasks.Select(a => a.Task)).WaitAsync(StopGrace, ct).ConfigureAwait(false);
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
        if (!Runtime.TryMove(0, 1))
        {
            throw new InvalidOperationException("The app has already started.");
        }

        try
        {
            Options.ThrowIfInvalid();
            StoreFactory = Options.UsesRocksDb ? new RocksDbStoreFactory(Options.TableDirectory, Options.RocksDb) : new MemoryStoreFactory();
            var transport = TransportFactory.Create(Options, _loggerFactory);
            transport = WrapTransport?.Invoke(transport) ?? transport;
            var worker = new Worker(Definition(_agents), transport, _loggerFactory.CreateLogger("Faust.Worker"), Time);
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
            Runtime.Bind(worker);
        }
        catch
        {
            Runtime.SetState(0);
            throw;
        }
    }

    internal Task RunAsync(IWorkerTask task, CancellationToken stopping)
    {
        var worker = RequireWorker();
        return Task.Run(async () =>
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
        if (!Runtime.TryMove(0, 1))
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
            var worker = new Worker(Definition([]), TransportFactory.Create(Options, _loggerFactory), _loggerFactory.CreateLogger("Faust.Worker"), Time);
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
            Runtime.Bind(worker);
            return worker;
        }
        catch
        {
            Runtime.SetState(0);
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

        if (Runtime.TryMove(1, 2))
        {
            try
            {
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

    // What the worker runs: the declarations as they are at start.
    private WorkerDefinition Definition(IReadOnlyList<IAgent> agents) => new()
    {
        Options = Options,
        Topics = _topics,
        Tables = _tables,
        Agents = agents,
        Monitor = Monitor,
        StopGrace = () => StopGrace,
        RecoveryHold = RecoveryHold,
    };

    internal Worker RequireWorker() =>
        _worker ?? throw new InvalidOperationException("The Faust app has not started: send to topics and write tables once it runs.");

    internal void ThrowIfStarted()
    {
        if (Runtime.HasStarted)
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
