using System.Text.Json;
using Faust.Diagnostics;
using Faust.Tables;
using Faust.Transport;
using Faust.Web.Routing;

namespace Faust.Web.Dashboard;

// Builds the /api views from the monitor's latest snapshot and the app's declarations. Reads only snapshots and
// thread-safe views (table counts, store presence), so it never slows the worker down; every view says what it
// does not know instead of failing when the worker is degraded (not started, recovering, faulted).
internal sealed class DashboardModel(FaustApp app, ThisWorker identity, TableRouter router, TimeProvider time)
{
    public ServedByView Self => new(identity.Id, identity.Url);

    public OverviewView Overview()
    {
        var snapshot = app.Monitor.Snapshot;
        var unknown = new List<string>();
        if (snapshot.IsEmpty)
        {
            unknown.Add("No statistics yet: the monitor samples once a second after the worker starts.");
        }

        if (snapshot.TotalLag is null && !snapshot.IsEmpty)
        {
            unknown.Add(LagUnknownReason(snapshot));
        }

        var options = identity.Options;
        var worker = new WorkerView(identity.Id, identity.Url, identity.App, options.Broker, options.ProcessingGuarantee, options.TopicPartitions);
        var recovery = app.Engine?.Recovery;
        return new OverviewView(
            worker,
            StateName(),
            app.IsReady,
            app.Monitor.Generation,
            app.Monitor.StartedAt,
            Uptime(),
            snapshot.IsEmpty ? null : snapshot.Time,
            new RatesView(snapshot.EventsPerSecond, snapshot.ReceivedPerSecond, snapshot.SentPerSecond, FaustMonitor.WindowSeconds),
            new TotalsView(snapshot.EventsTotal, snapshot.ReceivedTotal, snapshot.SentTotal, snapshot.ErrorsTotal, snapshot.Rebalances),
            snapshot.TotalLag,
            Latency(snapshot.Commits),
            Latency(snapshot.Assignments),
            new RecoverySummaryView(recovery?.InProgress ?? false, recovery?.Applied ?? 0, recovery?.Total ?? 0),
            [.. snapshot.RecentErrors.Reverse().Select(Error)],
            snapshot.Fault,
            History(snapshot.History),
            unknown);
    }

    public IReadOnlyList<AgentView> Agents()
    {
        var stats = app.Monitor.Snapshot.Agents.ToDictionary(a => a.Name, StringComparer.Ordinal);
        return [.. app.AgentList.Select(agent =>
        {
            var s = stats.GetValueOrDefault(agent.Name);
            return new AgentView(agent.Name, agent.SourceName, agent.SourceTopic is null ? "channel" : "topic", agent.Options.Concurrency,
                agent.Options.IsolatedPartitions, s?.Actors ?? 0, s?.Processed ?? 0, s?.EventsPerSecond, s?.MeanMs, s?.P99Ms, s?.MeanMsTotal, s?.P99MsTotal, s?.TimedEvents ?? 0,
                s?.Errors ?? 0, s?.Crashes ?? 0, s?.Skipped ?? 0, s?.LastError is { } e ? Error(e) : null);
        })];
    }

    public TopicsView Topics()
    {
        var snapshot = app.Monitor.Snapshot;
        var changelogs = app.TableViews.ToDictionary(t => t.ChangelogTopic, StringComparer.Ordinal);
        var sources = app.AgentList.Select(a => a.SourceTopic).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var internals = app.TopicViews.Where(t => t.IsInternal).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = new List<string>();
        if (snapshot.Topics.Count == 0)
        {
            unknown.Add(snapshot.IsEmpty
                ? "No statistics yet: the monitor samples once a second after the worker starts."
                : "No partitions are known yet: the worker has not been assigned any.");
        }
        else if (snapshot.TotalLag is null)
        {
            unknown.Add(LagUnknownReason(snapshot));
        }

        // Owners and standbys of partitions this worker does not hold come from the cluster view (the assignor topic).
        var cluster = app.Engine?.Cluster.Current ?? Faust.Cluster.ClusterSnapshot.Empty;
        var topics = new List<TopicView>();
        foreach (var topic in snapshot.Topics)
        {
            changelogs.TryGetValue(topic.Name, out var table);
            var kind = table is not null ? "changelog" : sources.Contains(topic.Name) ? "source" : internals.Contains(topic.Name) ? "internal" : "topic";
            var partitions = topic.Partitions.Select(p =>
            {
                var tp = new TopicPartition(topic.Name, p.Partition);
                // A changelog partition held here is active unless its store is a standby or a global table's copy of another's.
                var replica = table is not null && (table.IsStandby(p.Partition) || (table.IsGlobal && app.Engine?.OwnsPartition(p.Partition) != true));
                var local = (table is not null ? table.StoreOf(p.Partition) is not null : p.Assigned) && !replica;
                var active = local ? identity.Url : cluster.OwnerOf(tp)?.Url;
                string[] standbys = [.. cluster.StandbysOf(tp).Select(w => w.Url).OfType<string>()];
                return new PartitionView(p.Partition, active, standbys, local, p.Received, p.Sent, p.ReadOffset,
                    p.CommittedOffset, p.LowOffset, p.EndOffset, p.Lag, p.StalledSeconds);
            }).ToArray();
            topics.Add(new TopicView(topic.Name, kind, table?.Name, partitions.Length, partitions));
        }

        // Sources first, then changelogs, then the rest: the order an operator reads them in.
        topics.Sort((a, b) => Rank(a.Kind) != Rank(b.Kind) ? Rank(a.Kind) - Rank(b.Kind) : string.CompareOrdinal(a.Name, b.Name));
        return new TopicsView(topics, snapshot.TotalLag, unknown);

        static int Rank(string kind) => kind switch { "source" => 0, "changelog" => 1, "topic" => 2, _ => 3 };
    }

    public IReadOnlyList<TableView> Tables() => [.. app.TableViews.Select(Table)];

    public TableView Table(ITableView table)
    {
        var ops = app.Monitor.Snapshot.Tables.FirstOrDefault(t => t.Name == table.Name);
        int? partitionCount = app.Engine is { } worker && worker.TryGetPartitionCount(table.ChangelogTopic, out var count) ? count : null;
        var local = router.LocalPartitions(table);
        var recoveries = (app.Engine?.Recovery.Partitions ?? [])
            .Where(r => r.Table == table.Name && table.StoreOf(r.Partition) is not null)
            .OrderBy(r => r.Partition)
            .Select(r => new PartitionRecoveryView(r.Partition, r.Start, r.End, r.Position,
                r.Total <= 0 ? 100 : Math.Round(100.0 * r.Applied / r.Total, 1), r.Done))
            .ToArray();
        var recovery = new TableRecoveryView(recoveries.Any(r => !r.Done), recoveries.Sum(r => r.Position - r.Start),
            recoveries.Sum(r => r.End - r.Start), recoveries);
        return new TableView(table.Name, table.Help, table.ChangelogTopic, table.HasDefault, partitionCount, local, table.Count,
            ops?.Gets ?? 0, ops?.Sets ?? 0, ops?.Deletes ?? 0, recovery);
    }

    public TableLookupView Lookup(ITableView table, string key, int partition, TableLookup lookup) =>
        new(table.Name, key, partition, lookup.Status == TableLookupStatus.Found ? "found" : "default", Parse(lookup.Json!), Self);

    public TableKeysView Keys(ITableView table, int? partition, int offset, int limit)
    {
        var page = table.Browse(partition, offset, limit);
        return new TableKeysView(table.Name, partition, offset, limit, page.Total,
            [.. page.Entries.Select(e => new TableKeyView(e.Partition, e.Key, Parse(e.ValueJson)))], Self);
    }

    public ClusterView Cluster()
    {
        var snapshot = app.Monitor.Snapshot;
        var view = app.Engine?.Cluster.Current ?? Faust.Cluster.ClusterSnapshot.Empty;
        var claims = new Dictionary<TopicPartition, int>();
        foreach (var published in view.Workers.Values)
        {
            foreach (var tp in published.Actives)
            {
                claims[tp] = claims.GetValueOrDefault(tp) + 1;
            }
        }

        var contested = claims.Where(kv => kv.Value > 1).Select(kv => kv.Key).ToHashSet();
        var workers = new List<ClusterWorkerView>(view.Workers.Count + 1);
        var selfListed = false;
        foreach (var published in view.Workers.Values.OrderBy(w => w.WorkerId, StringComparer.Ordinal))
        {
            var self = published.WorkerId == identity.Id;
            selfListed |= self;
            var url = self ? identity.Url : published.Url;
            workers.Add(new ClusterWorkerView(published.WorkerId, url, url is null ? null : url + "/", self, self ? true : null,
                self ? StateName() : null, published.Generation, Map(published.Actives), Map(published.Standbys),
                Map(published.Actives.Where(contested.Contains)), self ? snapshot.EventsPerSecond : null, self ? snapshot.TotalLag : null));
        }

        var notes = new List<string>();
        if (!selfListed)
        {
            // Not started, or its own record not read back yet: this worker as it knows itself.
            workers.Insert(0, LocalSelf(snapshot));
            notes.Add("This worker's published assignment has not been read back from the cluster view yet; its row shows what it holds locally.");
        }

        var scheme = identity.Options.Broker.Split("://", 2)[0];
        var single = scheme is "memory" or "embedded";
        if (single)
        {
            notes.Add($"On the {scheme}:// broker one worker owns every partition: this worker is the whole cluster.");
        }

        var withoutUrl = workers.Where(w => w.Url is null).Select(w => w.Id).ToArray();
        if (withoutUrl.Length > 0)
        {
            notes.Add($"Published no URL (serves no HTTP): {string.Join(", ", withoutUrl)}.");
        }

        if (contested.Count > 0)
        {
            notes.Add($"{contested.Count} partitions are claimed by more than one worker: a rebalance is in progress, and lookups of their keys answer 503 until it settles.");
        }

        if (workers.Count > 1)
        {
            notes.Add("State, events/s and lag are this worker's only; each worker's dashboard (its URL) shows its own.");
        }

        return new ClusterView(app.Monitor.Generation, view.Generation, "cluster view", single || (selfListed && withoutUrl.Length == 0), workers,
            Map(contested), new ClusterTotalsView(workers.Count, 1, snapshot.EventsPerSecond, snapshot.TotalLag), notes);
    }

    private ClusterWorkerView LocalSelf(MonitorSnapshot snapshot)
    {
        var actives = new List<TopicPartition>(app.Engine?.Assignment ?? []);
        foreach (var table in app.TableViews)
        {
            foreach (var p in router.LocalPartitions(table))
            {
                actives.Add(new TopicPartition(table.ChangelogTopic, p));
            }
        }

        return new ClusterWorkerView(identity.Id, identity.Url, identity.Url + "/", Self: true, Reachable: true, StateName(),
            app.Engine?.Cluster.Mine.Generation, Map(actives), Map(app.Engine?.Standbys ?? new HashSet<TopicPartition>()),
            new Dictionary<string, IReadOnlyList<int>>(), snapshot.EventsPerSecond, snapshot.TotalLag);
    }

    // {topic: [partitions, ascending]}, topics in ordinal order: the shape of /assignment/.
    private static Dictionary<string, IReadOnlyList<int>> Map(IEnumerable<TopicPartition> partitions) =>
        partitions.GroupBy(tp => tp.Topic).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<int>)[.. g.Select(tp => tp.Partition).Distinct().Order()], StringComparer.Ordinal);

    public StreamUpdate Update()
    {
        var snapshot = app.Monitor.Snapshot;
        StreamPoint? point = null;
        var history = snapshot.History;
        if (history.Count >= 2)
        {
            var (a, b) = (history[^2], history[^1]);
            var seconds = Math.Max(0.001, (b.TimeMs - a.TimeMs) / 1000.0);
            point = new StreamPoint(b.TimeMs, (b.Events - a.Events) / seconds, (b.Received - a.Received) / seconds,
                (b.Sent - a.Sent) / seconds, b.Lag >= 0 ? b.Lag : null);
        }

        return new StreamUpdate(snapshot.IsEmpty ? time.GetUtcNow() : snapshot.Time, StateName(), app.IsReady, app.Monitor.Generation, Uptime(),
            snapshot.EventsPerSecond, snapshot.ReceivedPerSecond, snapshot.SentPerSecond, snapshot.EventsTotal, snapshot.ReceivedTotal,
            snapshot.SentTotal, snapshot.TotalLag, snapshot.ErrorsTotal, snapshot.Rebalances, snapshot.Fault, point,
            [.. snapshot.Agents.Select(a => new StreamAgent(a.Name, a.Processed, a.EventsPerSecond, a.Errors))]);
    }

    private string StateName() => app.Monitor.State.ToString().ToLowerInvariant();

    private double? Uptime() => app.Monitor.StartedAt is { } started ? Math.Max(0, (time.GetUtcNow() - started).TotalSeconds) : null;

    private string LagUnknownReason(MonitorSnapshot snapshot) =>
        app.Engine is null ? "Consumer lag is not known: the worker has not started."
        : app.AgentList.All(a => a.SourceTopic is null) ? "Consumer lag is not known: no agent reads a topic."
        : snapshot.State is WorkerState.Starting or WorkerState.Rebalancing ? "Consumer lag is not known: no partitions are assigned right now."
        : "Consumer lag is not known: the broker did not answer for the end offsets of some assigned partitions.";

    private static LatencyView Latency(LatencySummary summary) => new(summary.Count, summary.MeanMs, summary.LastMs, summary.LastAt);

    private static ErrorView Error(ErrorEntry e) => new(e.Time, e.Source, e.Kind, e.Type, e.Message, e.Where);

    private static HistoryView History(IReadOnlyList<MonitorPoint> points)
    {
        var n = Math.Max(0, points.Count - 1);
        var times = new long[n];
        var events = new double[n];
        var received = new double[n];
        var sent = new double[n];
        var lag = new long?[n];
        for (var i = 0; i < n; i++)
        {
            var (a, b) = (points[i], points[i + 1]);
            var seconds = Math.Max(0.001, (b.TimeMs - a.TimeMs) / 1000.0);
            times[i] = b.TimeMs;
            events[i] = (b.Events - a.Events) / seconds;
            received[i] = (b.Received - a.Received) / seconds;
            sent[i] = (b.Sent - a.Sent) / seconds;
            lag[i] = b.Lag >= 0 ? b.Lag : null;
        }

        return new HistoryView(1, times, events, received, sent, lag);
    }

    private static JsonElement Parse(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
