using Faust.Agents;
using Faust.App;
using Faust.Cluster;
using Faust.Diagnostics;
using Faust.Runtime;
using Faust.Tables;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Processing;

// One worker: one group consumer for every agent's source topic, and the parts it coordinates: the topic catalog,
// the poll loop, the producers, the offset committer (commit and hand-over invariants: see OffsetCommitter), the
// recovery generations, table recovery, the changelog follower (Worker.Following.cs) and the cluster view
// (Worker.Cluster.cs). The worker itself reacts to rebalances: it marks partitions recovering, opens their stores and
// recovers them before their streams resume, and releases revoked ones at an event boundary.
internal sealed partial class Worker : IWorkerRuntime, IMonitorSource, Hosting.IWorkerView, IRebalanceListener, IAsyncDisposable
{
    private readonly WorkerDefinition _app;
    private readonly TopicCatalog _topics;
    private readonly FaustOptions _options;
    private readonly ITransport _transport;
    private readonly IReadOnlyList<IAgent> _agents;
    private readonly Dictionary<(string Agent, string Topic), AgentInbox> _inboxes = [];
    private readonly Dictionary<string, AgentInbox[]> _inboxesByTopic = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITransportConsumer? _consumer;
    private readonly WorkerProducers _producers;
    private PollLoop? _pollLoop;
    private readonly OffsetCommitter _committer;
    private Task _recovery = Task.CompletedTask;
    private Exception? _fault;
    private readonly bool _exactlyOnce;
    private readonly RecoveryGenerations _generations;

    public Worker(WorkerDefinition app, ITransport transport, ILogger logger, TimeProvider time)
    {
        _app = app;
        _agents = app.Agents;
        _options = app.Options;
        _topics = new TopicCatalog(_options);
        _transport = transport;
        Logger = logger;
        Time = time;
        _exactlyOnce = _options.Guarantee == ProcessingGuarantee.ExactlyOnce;
        Gate = new ProcessingGate();
        _generations = new RecoveryGenerations(_inboxesByTopic.ContainsKey);
        _producers = new WorkerProducers(transport, _options, time, app.Monitor, _topics, logger, error => _fault ??= error);
        _committer = new OffsetCommitter(_inboxesByTopic, _producers, Gate, FlushTables, app.Monitor, _options.CommitInterval, _exactlyOnce, time, logger)
        {
            OnFenced = RejoinAfterFence,
        };
        Recovery = new TableRecovery(app.Tables, transport, logger, time) { Hold = app.RecoveryHold };
        WorkerId = ResolveWorkerId(_options);
        Cluster = new ClusterView(transport, AssignorTopic, WorkerId, _options.CanonicalUrl is { Length: > 0 } url ? url.TrimEnd('/') : null,
            _options.ClusterHeartbeat, logger, time);
    }

    public ILogger Logger { get; }

    public TimeProvider Time { get; }

    /// <summary>Held by agents per event; closed for every commit under exactly_once and for every revocation.</summary>
    public ProcessingGate Gate { get; }

    public TableRecovery Recovery { get; }

    /// <summary>The agents' dead-letter topics; set once the worker has declared its topics.</summary>
    public DeadLetterQueue? DeadLetters { get; private set; }

    /// <summary>Completes once the table partitions of the first assignment have recovered.</summary>
    public Task Ready => _ready.Task;

    /// <summary>True once the tables have first recovered, and false again while a rebalance's new partitions recover.</summary>
    public bool IsReady => _ready.Task.IsCompletedSuccessfully && (_app.Tables.Count == 0 || AssignedSourcesRecovered(null));

    /// <summary>Whether the tables' partition <paramref name="partition"/> is recovered: false while the worker
    /// recovers it after an assignment (at start or after a rebalance), when its store may lag its changelog. A
    /// partition can be recovered (and its events processed) while others still recover.</summary>
    public bool IsRecovered(int partition) =>
        _app.Tables.Count == 0 ? _ready.Task.IsCompletedSuccessfully
        : (_ready.Task.IsCompletedSuccessfully || AnySourceRecovered(partition)) && AssignedSourcesRecovered(partition);

    public Exception? Fault => _fault ?? _pollLoop?.Fault;

    public ITransport Transport => _transport;

    /// <summary>The configured reply topic (Faust:ReplyTopic), or null for one of the worker's own.</summary>
    public string? ReplyTopic => _options.ReplyTopic;

    public IReadOnlyCollection<TopicPartition> Assignment => _consumer?.Assignment ?? [];

    public int PartitionCount(string topic) => _topics.PartitionCount(topic);

    /// <summary>The one-partition internal topic whose owner is the group's leader.</summary>
    public string LeaderTopic => $"{_options.GroupId}-__assignor-__leader";

    /// <summary>Whether this worker leads the group: it is assigned partition 0 of <see cref="LeaderTopic"/>.</summary>
    public bool IsLeader => Assignment.Contains(new TopicPartition(LeaderTopic, 0));

    public bool TryGetPartitionCount(string topic, out int count) => _topics.TryGetPartitionCount(topic, out count);

    public AgentInbox InboxOf(IAgent agent) => InboxOf(agent.Name, agent.SourceTopic ?? throw new InvalidOperationException($"Agent {agent.Name} reads no topic."));

    public AgentInbox InboxOf(string agent, string topic) =>
        _inboxes.TryGetValue((agent, topic), out var inbox) ? inbox : throw new InvalidOperationException($"Agent {agent} has no inbox for '{topic}'.");

    public long? CommittedOffset(TopicPartition tp) => _committer.LastCommitted(tp);

    public async Task StartAsync(CancellationToken ct)
    {
        await _topics.DeclareAsync(_transport, _app, LeaderTopic, AssignorTopic, ct).ConfigureAwait(false);
        DeadLetters = new DeadLetterQueue(_options.GroupId, ProduceAsync, Logger);
        await DeadLetters.DeclareAsync(_transport, _app.AgentsWantingDeadLetters(), source => source is null ? _options.TopicPartitions : PartitionCount(source), ct).ConfigureAwait(false);

        _producers.Start(_exactlyOnce);
        Cluster.Start(_producers.Plain);
        StartFollower();

        // Every worker also subscribes to the one-partition leader topic: whoever is assigned it leads (timers with
        // onLeader). Its records, if any, go nowhere.
        var sourceTopics = _agents.SelectMany(a => a.Subscriptions).Select(s => s.Topic).Append(LeaderTopic).Distinct(StringComparer.Ordinal).ToArray();
        _consumer = _transport.CreateConsumer(_options.GroupId, this);
        foreach (var agent in _agents)
        {
            foreach (var (topic, isolated) in agent.Subscriptions)
            {
                _inboxes[(agent.Name, topic)] = new AgentInbox(agent.Name, topic, _topics[topic], _options.StreamBufferMaxSize, _consumer, isolated);
            }
        }

        foreach (var group in _inboxes.Values.GroupBy(i => i.Topic, StringComparer.Ordinal))
        {
            _inboxesByTopic[group.Key] = [.. group];
        }

        _consumer.Subscribe(sourceTopics);

        _pollLoop = new PollLoop(_consumer, _inboxesByTopic, _app.Monitor, Logger);
        _pollLoop.Start($"faust-poll {_options.Id}", _stopping.Token);
        _committer.Start(_consumer, _stopping.Token);
        LogStarted(Logger, _options.Id, _options.Broker, _options.GroupId, _options.ProcessingGuarantee);
    }

    public void OnAssigned(IReadOnlyCollection<TopicPartition> partitions)
    {
        _app.Monitor.OnAssigned(partitions);
        OnHeldChanged(partitions, assigned: true);
        var sources = partitions.Where(tp => _inboxesByTopic.ContainsKey(tp.Topic)).ToArray();
        foreach (var tp in sources)
        {
            foreach (var inbox in _inboxesByTopic[tp.Topic])
            {
                inbox.Assign(tp.Partition);
            }
        }

        // Table partitions follow the source partitions assigned (co-partitioning). An app whose agents read no
        // topic still serves its tables: then the worker holds all of their partitions.
        var tablePartitions = TablePartitionsOf(sources);
        if (_app.Tables.Count == 0)
        {
            _app.Monitor.OnAssignmentDone();
            _ready.TrySetResult();
            return;
        }

        // Recover before the streams resume: pause the sources, recover in the background, and resume each source
        // partition as soon as its own table partitions are recovered (see TableRecovery). The partitions count as
        // recovering before their stores open or a standby of theirs becomes owned: the consumer publishes its new
        // assignment only after this callback returns, so until then only this bookkeeping keeps HTTP reads off them.
        var generation = MarkRecovering(sources);
        _consumer?.Pause(sources);
        lock (_ownershipLock)
        {
            MarkOwned(tablePartitions, owned: true);
            foreach (var table in _app.Tables)
            {
                table.OpenPartitions(PartitionsToOpen(table, tablePartitions), _topics[table.ChangelogTopic]);
            }
        }

        var sourcesByPartition = sources.ToLookup(tp => tp.Partition);
        Chain(async () =>
        {
            try
            {
                await StopFollowingAsync().ConfigureAwait(false);
                await Recovery.RecoverAsync(
                    tablePartitions,
                    partition => _consumer?.Resume(StillRecoveredBy(generation, [.. sourcesByPartition[partition]])),
                    _stopping.Token).ConfigureAwait(false);
                await FollowNotOwnedAsync().ConfigureAwait(false);
                _app.Monitor.OnAssignmentDone();
                _ready.TrySetResult();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                _fault = ex;
                LogRecoveryFailed(Logger, ex);
                _ready.TrySetException(ex);
            }
        });
    }

    // The table partitions held with these source partitions (co-partitioning), in order; all of them when the agents
    // read no topic.
    private int[] TablePartitionsOf(IEnumerable<TopicPartition> sources) =>
        _inboxesByTopic.Count == 0
            ? Enumerable.Range(0, _app.Tables.Select(t => _topics[t.ChangelogTopic]).DefaultIfEmpty(0).Max()).ToArray()
            : sources.Where(tp => _inboxesByTopic.ContainsKey(tp.Topic)).Select(tp => tp.Partition).Distinct().Order().ToArray();

    public void OnRevoked(IReadOnlyCollection<TopicPartition> partitions)
    {
        _app.Monitor.OnRevoked(partitions);

        // Commit what was acknowledged before the partitions go (Kafka transport; the log broker never revokes), at
        // an event boundary (see the hand-over invariant). After a fence the partitions were already dropped and
        // nothing may be committed (see Worker.Fencing.cs).
        HandOver(partitions, commit: !_droppingAfterFence, clean: !_droppingAfterFence);
        OnHeldChanged(partitions, assigned: false);
    }

    // Poll thread (rebalance callbacks): at an event boundary, commit (unless told not to) and release.
    private void HandOver(IReadOnlyCollection<TopicPartition> partitions, bool commit, bool clean) =>
        _committer.HandOver(commit, () => ReleasePartitions(partitions, clean));

    private void ReleasePartitions(IReadOnlyCollection<TopicPartition> partitions) => ReleasePartitions(partitions, clean: false);

    // Drops revoked or lost partitions: their inbox buffers (the next owner reads them again from the committed
    // offset) and their table partitions (the next owner recovers them from the changelog). A clean revocation
    // (everything acknowledged was committed) keeps global tables' partitions and standbys, which are followed from
    // then on.
    private void ReleasePartitions(IReadOnlyCollection<TopicPartition> partitions, bool clean)
    {
        foreach (var tp in partitions)
        {
            if (_inboxesByTopic.TryGetValue(tp.Topic, out var inboxes))
            {
                foreach (var inbox in inboxes)
                {
                    inbox.Revoke(tp.Partition);
                }
            }
        }

        ForgetRecovered(partitions);
        var tablePartitions = partitions.Where(tp => _inboxesByTopic.ContainsKey(tp.Topic)).Select(tp => tp.Partition).Distinct().ToArray();
        _producers.DropChangelog(tablePartitions);
        lock (_ownershipLock)
        {
            MarkOwned(tablePartitions, owned: false);
            ReleaseTablePartitions(tablePartitions, clean);
        }

        FollowAfterRecovery();
    }

    // ---- producing: see WorkerProducers ----

    public Task<DeliveryResult> ProduceAsync(TopicPartition tp, TransportRecord record, CancellationToken ct) => _producers.ProduceAsync(tp, record, ct);

    public void Produce(TopicPartition tp, TransportRecord record) => _producers.Produce(tp, record);

    public void ProduceReply(TopicPartition tp, TransportRecord record) => _producers.ProduceReply(tp, record);

    public void ProduceChangelog(TopicPartition tp, byte[] key, byte[]? value) => _producers.ProduceChangelog(tp, key, value);

    private void FlushTables()
    {
        foreach (var table in _app.Tables)
        {
            table.Flush();
        }
    }

    /// <summary>Commits what every agent has acknowledged; returns the offsets committed (see OffsetCommitter).</summary>
    public Task<IReadOnlyDictionary<TopicPartition, long>> CommitAsync(CancellationToken ct, CancellationToken gateWait = default) =>
        _committer.CommitAsync(ct, gateWait);

    /// <summary>Stops polling, commits what was acknowledged and closes the consumer and producers.
    /// Agents must have stopped first, so their last events are acknowledged.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _app.Monitor.OnStopping();
        _pollLoop?.Join();
        await _committer.Stopped.ConfigureAwait(false);

        try
        {
            await _recovery.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogRecoveryFailed(Logger, ex);
        }

        await StopFollowerAsync().ConfigureAwait(false);

        try
        {
            // exactly_once: an agent stuck in an event (see FaustApp.StopAsync) would hold the last commit for ever;
            // after the grace it is skipped, the transaction aborted, and those events are processed again.
            using var grace = new CancellationTokenSource(_app.StopGrace());
            var committed = await CommitAsync(ct, grace.Token).ConfigureAwait(false);
            LogStopped(Logger, _options.Id, committed.Count);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            LogStoppedWithoutCommit(Logger, _options.Id, _app.StopGrace().TotalSeconds);
        }
        catch (Exception ex)
        {
            OffsetCommitter.LogCommitFailed(Logger, ex);
        }

        // A clean shutdown: the others stop routing to this worker at once instead of after the group rebalances.
        await Cluster.LeaveAsync(ct).ConfigureAwait(false);

        foreach (var inbox in _inboxes.Values)
        {
            inbox.Complete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopRepliesAsync().ConfigureAwait(false);
        await StopAsync(CancellationToken.None).ConfigureAwait(false);

        // The sampler asks the consumer for watermarks: it stops (and any sample under way finishes) before the
        // consumer closes.
        Monitor.StopSampling();
        foreach (var table in _app.Tables)
        {
            table.ClosePartitions(Enumerable.Range(0, _topics.Counts.GetValueOrDefault(table.ChangelogTopic)));
        }

        _consumer?.Dispose();
        await Cluster.DisposeAsync().ConfigureAwait(false);
        _producers.Dispose();

        await _transport.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>True while the poll thread runs.</summary>
    public bool IsPolling => _pollLoop?.IsPolling ?? false;

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker of app {App} started on {Broker}: consumer group {Group}, {Guarantee}.")]
    private static partial void LogStarted(ILogger logger, string app, string broker, string group, string guarantee);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker of app {App} stopped after committing {Partitions} partitions.")]
    private static partial void LogStopped(ILogger logger, string app, int partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker of app {App} stopped without its last commit: an event was still in flight {Seconds} s after the stop (exactly_once commits only between events). The events since the previous commit will be processed again.")]
    private static partial void LogStoppedWithoutCommit(ILogger logger, string app, double seconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Table recovery failed.")]
    private static partial void LogRecoveryFailed(ILogger logger, Exception ex);
}
