using Faust.Agents;
using Faust.Runtime;
using Faust.Cluster;
using Faust.App;
using Faust.Diagnostics;
using Faust.Tables;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Processing;

// One worker: one group consumer for every agent's source topic, one poll thread, producers, tables, commits.
//
// Commit invariant: a partition's committed offset is the smallest commit point over the agents reading it
// (see AckTracker), and it is committed only after every record those events produced (changelog and
// outputs) is durable: at_least_once flushes the producer first; exactly_once commits the records and the
// offsets in one transaction, at an event boundary (ProcessingGate), so table state never runs ahead of
// committed input.
//
// Hand-over invariant (both guarantees): a revoked partition is committed and released at an event boundary. The
// revocation closes the gate, so no event is half-processed: every table write in the stores and the changelog
// buffer belongs to an acknowledged event, and the commit covers it. Without that, an event in flight (written to
// the table, acknowledged only when the agent asks for the next one) reached the changelog through the revocation's
// drain while its offset stayed uncommitted, and the next owner recovered its effect AND processed it again: a
// double count on a clean hand-over. The wait is bounded (RevocationDrainTimeout); past it the worker hands over
// anyway, logs it, and the event in flight may be counted twice (at least once).
internal sealed partial class Worker : IWorkerRuntime, IMonitorSource, Hosting.IWorkerView, IRebalanceListener, IAsyncDisposable
{
    private static readonly TimeSpan RevocationDrainTimeout = TimeSpan.FromSeconds(10);
    private readonly WorkerDefinition _app;
    private readonly FaustOptions _options;
    private readonly ITransport _transport;
    private readonly Dictionary<string, int> _partitionCounts = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<IAgent> _agents;
    private readonly Dictionary<(string Agent, string Topic), AgentInbox> _inboxes = [];
    private readonly Dictionary<string, AgentInbox[]> _inboxesByTopic = new(StringComparer.Ordinal);
    private readonly Dictionary<TopicPartition, long> _lastCommitted = [];
    private readonly Dictionary<string, ITableView> _tablesByChangelog = new(StringComparer.Ordinal);
    private readonly ChangelogBuffer? _changelogBuffer;
    private readonly SemaphoreSlim _commitLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITransportConsumer? _consumer;
    private ITransportProducer? _producer;
    private ITransportProducer? _transactionalProducer;
    private PollLoop? _pollLoop;
    private Task? _commitLoop;
    private Task _recovery = Task.CompletedTask;
    private Exception? _fault;
    private readonly bool _exactlyOnce;
    private readonly RecoveryGenerations _generations;

    public Worker(WorkerDefinition app, ITransport transport, ILogger logger, TimeProvider time)
    {
        _app = app;
        _agents = app.Agents;
        _options = app.Options;
        _transport = transport;
        Logger = logger;
        Time = time;
        _exactlyOnce = _options.Guarantee == ProcessingGuarantee.ExactlyOnce;
        Gate = new ProcessingGate();
        _generations = new RecoveryGenerations(_inboxesByTopic.ContainsKey);
        _changelogBuffer = _options.ChangelogBufferSize > 0 ? new ChangelogBuffer(_options.ChangelogBufferSize) : null;
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

    public int PartitionCount(string topic) =>
        _partitionCounts.TryGetValue(topic, out var count) ? count
        : throw new InvalidOperationException($"Topic '{topic}' is not declared in app '{_options.Id}'.");

    /// <summary>The one-partition internal topic whose owner is the group's leader.</summary>
    public string LeaderTopic => $"{_options.GroupId}-__assignor-__leader";

    /// <summary>Whether this worker leads the group: it is assigned partition 0 of <see cref="LeaderTopic"/>.</summary>
    public bool IsLeader => Assignment.Contains(new TopicPartition(LeaderTopic, 0));

    public bool TryGetPartitionCount(string topic, out int count) => _partitionCounts.TryGetValue(topic, out count);

    public AgentInbox InboxOf(IAgent agent) => InboxOf(agent.Name, agent.SourceTopic ?? throw new InvalidOperationException($"Agent {agent.Name} reads no topic."));

    public AgentInbox InboxOf(string agent, string topic) =>
        _inboxes.TryGetValue((agent, topic), out var inbox) ? inbox : throw new InvalidOperationException($"Agent {agent} has no inbox for '{topic}'.");

    public long? CommittedOffset(TopicPartition tp)
    {
        lock (_lastCommitted)
        {
            return _lastCommitted.TryGetValue(tp, out var offset) ? offset : null;
        }
    }

    public async Task StartAsync(CancellationToken ct)
    {
        await DeclareTopicsAsync(ct).ConfigureAwait(false);
        CheckCopartitioning();
        DeadLetters = new DeadLetterQueue(_options.GroupId, ProduceAsync, Logger);
        await DeadLetters.DeclareAsync(_transport, _app.AgentsWantingDeadLetters(), source => source is null ? _options.TopicPartitions : PartitionCount(source), ct).ConfigureAwait(false);

        _producer = _transport.CreateProducer();
        Cluster.Start(_producer);
        StartFollower();
        if (_exactlyOnce)
        {
            _transactionalProducer = _transport.CreateProducer(transactional: true);
            _transactionalProducer.BeginTransaction();
        }

        // Every worker also subscribes to the one-partition leader topic: whoever is assigned it leads (timers with
        // onLeader). Its records, if any, go nowhere.
        var sourceTopics = _agents.SelectMany(a => a.Subscriptions).Select(s => s.Topic).Append(LeaderTopic).Distinct(StringComparer.Ordinal).ToArray();
        _consumer = _transport.CreateConsumer(_options.GroupId, this);
        foreach (var agent in _agents)
        {
            foreach (var (topic, isolated) in agent.Subscriptions)
            {
                _inboxes[(agent.Name, topic)] = new AgentInbox(agent.Name, topic, _partitionCounts[topic], _options.StreamBufferMaxSize, _consumer, isolated);
            }
        }

        foreach (var group in _inboxes.Values.GroupBy(i => i.Topic, StringComparer.Ordinal))
        {
            _inboxesByTopic[group.Key] = [.. group];
        }

        _consumer.Subscribe(sourceTopics);

        _pollLoop = new PollLoop(_consumer, _inboxesByTopic, _app.Monitor, Logger);
        _pollLoop.Start($"faust-poll {_options.Id}", _stopping.Token);
        _commitLoop = CommitLoopAsync(_stopping.Token);
        LogStarted(Logger, _options.Id, _options.Broker, _options.GroupId, _options.ProcessingGuarantee);
    }

    private async Task DeclareTopicsAsync(CancellationToken ct)
    {
        foreach (var topic in _app.Topics)
        {
            var wanted = topic.DeclaredPartitions ?? _options.TopicPartitions;
            var actual = await _transport.EnsureTopicAsync(new TopicSpec(topic.Name, wanted, Internal: topic.IsInternal), ct).ConfigureAwait(false);
            if (topic.DeclaredPartitions is { } declared && declared != actual)
            {
                throw new InvalidOperationException(
                    $"Topic '{topic.Name}' is declared with {declared} partitions but has {actual} on the broker. Declare it with {actual} partitions, or recreate the topic.");
            }

            _partitionCounts[topic.Name] = actual;
        }

        await _transport.EnsureTopicAsync(new TopicSpec(LeaderTopic, 1, Internal: true), ct).ConfigureAwait(false);
        _partitionCounts[LeaderTopic] = 1;
        await _transport.EnsureTopicAsync(new TopicSpec(AssignorTopic, 1, Compacted: true, Internal: true), ct).ConfigureAwait(false);
        _partitionCounts[AssignorTopic] = 1;
        foreach (var table in _app.Tables)
        {
            var wanted = table.DeclaredPartitions ?? _options.TopicPartitions;
            var actual = await _transport.EnsureTopicAsync(new TopicSpec(table.ChangelogTopic, wanted, Compacted: true, Internal: true), ct).ConfigureAwait(false);
            _partitionCounts[table.ChangelogTopic] = actual;
            _tablesByChangelog[table.ChangelogTopic] = table;
        }
    }

    // A table write goes to the changelog partition numbered like the event's partition, so every source topic
    // and every changelog must have the same partition count (DESIGN decision 3).
    private void CheckCopartitioning()
    {
        if (_app.Tables.Count == 0)
        {
            return;
        }

        var counts = _agents.SelectMany(a => a.Subscriptions).Select(s => s.Topic)
            .Concat(_app.Tables.Select(t => t.ChangelogTopic))
            .Distinct(StringComparer.Ordinal)
            .Select(t => (Topic: t, Partitions: _partitionCounts[t]))
            .ToArray();
        if (counts.Select(c => c.Partitions).Distinct().Count() > 1)
        {
            throw new InvalidOperationException(
                "Source topics and table changelogs must have the same partition count (a table write goes to the changelog partition of the event being processed), but they differ: "
                + string.Join(", ", counts.Select(c => $"'{c.Topic}' has {c.Partitions}")) + ".");
        }
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
                table.OpenPartitions(PartitionsToOpen(table, tablePartitions), _partitionCounts[table.ChangelogTopic]);
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
            ? Enumerable.Range(0, _app.Tables.Select(t => _partitionCounts[t.ChangelogTopic]).DefaultIfEmpty(0).Max()).ToArray()
            : sources.Where(tp => _inboxesByTopic.ContainsKey(tp.Topic)).Select(tp => tp.Partition).Distinct().Order().ToArray();

    public void OnRevoked(IReadOnlyCollection<TopicPartition> partitions)
    {
        _app.Monitor.OnRevoked(partitions);

        // Commit what was acknowledged before the partitions go (Kafka transport; the log broker never revokes), at
        // an event boundary (see the hand-over invariant). After a fence the partitions were already dropped and
        // nothing may be committed (see Worker.Kafka.cs).
        HandOver(partitions, commit: !_droppingAfterFence, clean: !_droppingAfterFence);
        OnHeldChanged(partitions, assigned: false);
    }

    // Poll thread (rebalance callbacks). The commit lock first, then the gate: a commit holds them in that order.
    private void HandOver(IReadOnlyCollection<TopicPartition> partitions, bool commit, bool clean)
    {
        _commitLock.Wait();
        try
        {
            var gateHeld = CloseGateForHandOver();
            try
            {
                if (commit)
                {
                    try
                    {
                        CommitLockedAsync(gateHeld, CancellationToken.None).GetAwaiter().GetResult();
                    }
                    catch (Exception ex)
                    {
                        LogCommitFailed(Logger, ex);
                    }
                }

                ReleasePartitions(partitions, clean);
            }
            finally
            {
                if (gateHeld)
                {
                    Gate.Open();
                }
            }
        }
        finally
        {
            _commitLock.Release();
        }
    }

    private bool CloseGateForHandOver()
    {
        using var timeout = new CancellationTokenSource(RevocationDrainTimeout);
        try
        {
            Gate.CloseAsync(timeout.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            LogHandOverInFlight(Logger, RevocationDrainTimeout.TotalSeconds);
            return false;
        }
    }

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
        _changelogBuffer?.Drop(tablePartitions);
        lock (_ownershipLock)
        {
            MarkOwned(tablePartitions, owned: false);
            ReleaseTablePartitions(tablePartitions, clean);
        }

        FollowAfterRecovery();
    }

    // ---- producing ----

    private ITransportProducer ProducerForCaller() =>
        _transactionalProducer is not null && Streams.StreamContext.Current is not null ? _transactionalProducer : RequireProducer();

    private ITransportProducer RequireProducer() => _producer ?? throw new InvalidOperationException("The worker has not started.");

    public Task<DeliveryResult> ProduceAsync(TopicPartition tp, TransportRecord record, CancellationToken ct) =>
        ProducerForCaller().ProduceAsync(tp, record, ct);

    public void ProduceChangelog(TopicPartition tp, byte[] key, byte[]? value)
    {
        if (_changelogBuffer is null)
        {
            ProduceChangelogRecord(ProducerForCaller(), tp, key, value);
        }
        else if (_changelogBuffer.Add(tp, key, value))
        {
            DrainChangelog(ProducerForCaller());
        }
    }

    private void ProduceChangelogRecord(ITransportProducer producer, TopicPartition tp, byte[] key, byte[]? value)
    {
        var record = new TransportRecord(key, value, null, Time.GetUtcNow().ToUnixTimeMilliseconds());
        producer.Produce(tp, record, _onChangelogDelivered ??= OnChangelogDelivered);
        _app.Monitor.OnSent(tp.Topic, tp.Partition);
    }

    // Before a commit: into the transaction under exactly_once, else into the producer that is flushed next.
    private void DrainChangelog(ITransportProducer producer)
    {
        if (_changelogBuffer is null)
        {
            return;
        }

        foreach (var (tp, keys) in _changelogBuffer.Drain())
        {
            foreach (var (key, value) in keys)
            {
                ProduceChangelogRecord(producer, tp, key, value);
            }
        }
    }

    private Action<DeliveryResult, Exception?>? _onChangelogDelivered;

    // The store learns the changelog offset its state reflects from the delivery, and persists it at the next
    // commit together with the data (RocksDB), so a restart recovers only what came after it.
    private void OnChangelogDelivered(DeliveryResult result, Exception? error)
    {
        if (error is not null)
        {
            _fault ??= error;
            LogChangelogFailed(Logger, error, result.Topic, result.Partition);
            return;
        }

        if (_tablesByChangelog.TryGetValue(result.Topic, out var table))
        {
            table.StoreOf(result.Partition)?.SetAppliedOffset(result.Offset);
        }
    }

    private void FlushTables()
    {
        foreach (var table in _app.Tables)
        {
            table.Flush();
        }
    }

    // ---- committing ----

    private async Task CommitLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.CommitInterval, Time, ct).ConfigureAwait(false);

                // Not cancellable once it commits: a commit stopped halfway would leave the gate closed or the
                // transaction ended without a new one; StopAsync waits for it and then commits once more. Only its
                // wait for an event in flight (exactly_once) gives way to a stop, so a stuck agent cannot hold it.
                await CommitAsync(CancellationToken.None, gateWait: ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogCommitFailed(Logger, ex);
                _app.Monitor.OnWorkerError("commit failed", ex);
            }
        }
    }

    /// <summary>Commits what every agent has acknowledged; returns the offsets committed. Under exactly_once it
    /// first waits until no event is in flight; <paramref name="gateWait"/> may cancel that wait alone.</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> CommitAsync(CancellationToken ct, CancellationToken gateWait = default)
    {
        var consumer = _consumer;
        if (consumer is null)
        {
            return new Dictionary<TopicPartition, long>();
        }

        await _commitLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await CommitLockedAsync(gateHeld: false, ct, gateWait).ConfigureAwait(false);
        }
        finally
        {
            _commitLock.Release();
        }
    }

    // Holds the commit lock. gateHeld: the caller has closed the gate (a hand-over).
    private async Task<IReadOnlyDictionary<TopicPartition, long>> CommitLockedAsync(bool gateHeld, CancellationToken ct, CancellationToken gateWait = default)
    {
        var consumer = _consumer!;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var gateClosed = false;
        try
        {
            if (_exactlyOnce && !gateHeld)
            {
                using var waitOrStop = CancellationTokenSource.CreateLinkedTokenSource(ct, gateWait);
                await Gate.CloseAsync(waitOrStop.Token).ConfigureAwait(false);
                gateClosed = true;
            }

            var offsets = CollectOffsets();
            DrainChangelog(_transactionalProducer ?? RequireProducer());
            if (_transactionalProducer is { } transactional)
            {
                // The gate is closed: the stores hold exactly the effects of the events this transaction commits,
                // and they are flushed only once it has committed.
                try
                {
                    await transactional.CommitTransactionAsync(offsets, consumer, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsFenced(ex))
                {
                    // No event is in flight, so the producer can be replaced safely.
                    RejoinAfterFence(consumer, ex);
                    throw;
                }

                _fences = 0;
                transactional.BeginTransaction();
                FlushTables();
            }
            else
            {
                // Changelog and outputs first: an offset is committed only once its effects are durable.
                await RequireProducer().FlushAsync(ct).ConfigureAwait(false);
                FlushTables();
                if (offsets.Count == 0)
                {
                    return offsets;
                }

                await consumer.CommitAsync(offsets, ct).ConfigureAwait(false);
            }

            lock (_lastCommitted)
            {
                foreach (var (tp, offset) in offsets)
                {
                    _lastCommitted[tp] = offset;
                }
            }

            _app.Monitor.OnCommitted(offsets, started);
            return offsets;
        }
        finally
        {
            if (gateClosed)
            {
                Gate.Open();
            }
        }
    }

    private Dictionary<TopicPartition, long> CollectOffsets()
    {
        var offsets = new Dictionary<TopicPartition, long>();
        foreach (var (topic, inboxes) in _inboxesByTopic)
        {
            for (var p = 0; p < inboxes[0].PartitionCount; p++)
            {
                long? point = null;
                foreach (var inbox in inboxes)
                {
                    var mine = inbox.TrackerFor(p)?.CommitPoint;
                    if (mine is null)
                    {
                        point = null;
                        break;
                    }

                    point = point is null ? mine : Math.Min(point.Value, mine.Value);
                }

                if (point is { } offset)
                {
                    var tp = new TopicPartition(topic, p);
                    lock (_lastCommitted)
                    {
                        if (_lastCommitted.TryGetValue(tp, out var last) && last >= offset)
                        {
                            continue;
                        }
                    }

                    offsets[tp] = offset;
                }
            }
        }

        return offsets;
    }

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
        if (_commitLoop is not null)
        {
            await _commitLoop.ConfigureAwait(false);
        }

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
            LogCommitFailed(Logger, ex);
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
            table.ClosePartitions(Enumerable.Range(0, _partitionCounts.GetValueOrDefault(table.ChangelogTopic)));
        }

        _consumer?.Dispose();
        await Cluster.DisposeAsync().ConfigureAwait(false);
        _producer?.Dispose();
        if (_transactionalProducer is not null)
        {
            try
            {
                _transactionalProducer.AbortTransaction();
            }
            catch (InvalidOperationException)
            {
                // No open transaction.
            }

            _transactionalProducer.Dispose();
        }

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

    [LoggerMessage(Level = LogLevel.Error, Message = "A commit failed; it is retried at the next interval and no acknowledged offset is lost.")]
    private static partial void LogCommitFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An agent was still processing an event after {Seconds} s when its partitions were revoked; the worker hands them over anyway, and the next owner may process that event again.")]
    private static partial void LogHandOverInFlight(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Table recovery failed.")]
    private static partial void LogRecoveryFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "A changelog write to {Topic}[{Partition}] failed; the next commit fails so the events are processed again.")]
    private static partial void LogChangelogFailed(ILogger logger, Exception ex, string topic, int partition);
}
