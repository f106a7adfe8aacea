using Faust.App;
using Faust.Diagnostics;
using Faust.Serialization;
using Faust.Stores;

namespace Faust.Runtime;

// What a declared topic, table, agent or timer reaches of the app it belongs to. They are declared before the worker
// exists, so the worker's services are bound when it starts; reaching them before says the app has not started. Each
// caller reaches only the narrow service it needs (records, changelog, topic catalog, ownership, the worker runtime
// for those that run), never the app or the worker themselves.
internal sealed class AppRuntime(CodecRegistry codecs, FaustMonitor monitor)
{
    private const string NotStarted = "The Faust app has not started: send to topics and write tables once it runs.";
    private volatile IWorkerRuntime? _worker;
    private int _state;

    /// <summary>The app's settings; replaced by the host's until the app starts.</summary>
    public FaustOptions Options { get; set; } = new();

    /// <summary>Codecs by name and the default codec of each type.</summary>
    public CodecRegistry Codecs { get; } = codecs;

    /// <summary>The app's clock.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>The app's monitor.</summary>
    public FaustMonitor Monitor { get; } = monitor;

    /// <summary>Where tables open their partitions' stores; chosen at start from the settings.</summary>
    public IStoreFactory StoreFactory { get; set; } = new MemoryStoreFactory();

    /// <summary>Called when an agent's supervisor gives up and the worker must stop.</summary>
    public Action<Exception> Crash { get; set; } = _ => { };

    /// <summary>Called when a source declares a topic of its own (repartition, through).</summary>
    public Action<ITopicDeclaration> DeclareInternalTopic { get; set; } = _ => { };

    /// <summary>Starts the worker alone on a private in-memory broker, for an agent's test context.</summary>
    public Func<CancellationToken, Task<IWorkerRuntime>> StartForTest { get; set; } = _ => throw new InvalidOperationException(NotStarted);

    /// <summary>Stops the worker (a test context's end).</summary>
    public Func<CancellationToken, Task> StopWorker { get; set; } = _ => Task.CompletedTask;

    /// <summary>True once the app has started (and after it stopped).</summary>
    public bool HasStarted => Volatile.Read(ref _state) != 0;

    /// <summary>True while the app runs.</summary>
    public bool IsRunning => Volatile.Read(ref _state) == 1;

    /// <summary>The running worker, or null.</summary>
    public IWorkerRuntime? WorkerOrNull => _worker;

    /// <summary>The running worker, for what runs on it (agents, sources, timers).</summary>
    public IWorkerRuntime Worker => _worker ?? throw new InvalidOperationException(NotStarted);

    /// <summary>Where records are sent.</summary>
    public IRecordSink Records => Worker;

    /// <summary>Where table changes are written.</summary>
    public IChangelogSink Changelog => Worker;

    /// <summary>The topics' partition counts.</summary>
    public ITopicCatalog Topics => Worker;

    /// <summary>Which partitions this worker owns.</summary>
    public IPartitionOwnership Ownership => Worker;

    /// <summary>Moves the app from not started (0) to running (1) or stopped (2); false when it was not in <paramref name="from"/>.</summary>
    public bool TryMove(int from, int to) => Interlocked.CompareExchange(ref _state, to, from) == from;

    /// <summary>Sets the app's state.</summary>
    public void SetState(int state) => Volatile.Write(ref _state, state);

    /// <summary>Binds the started worker.</summary>
    public void Bind(IWorkerRuntime? worker) => _worker = worker;
}
