using System.Globalization;
using Faust.Web.Dashboard;

namespace Faust.Web.Metrics;

// GET /metrics: the monitor's latest snapshot in Prometheus' text format. Names are Faust's sensor names (as
// FaustInstruments uses them) with the prefix faust_; counters end in _total as Prometheus clients write them, so
// Faust's total_events becomes faust_total_events_total, exactly as Faust's own Prometheus sensor exposes it.
internal static class MetricsEndpoints
{
    public static void MapMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/metrics", Get)
            .WithTags("Metrics").WithName("GetMetrics")
            .WithSummary("Prometheus metrics of this worker (text exposition format 0.0.4).")
            .Produces(StatusCodes.Status200OK, contentType: PrometheusWriter.ContentType);

    private static IResult Get(FaustApp app, ThisWorker identity) =>
        TypedResults.Text(Render(app, identity), PrometheusWriter.ContentType);

    internal static string Render(FaustApp app, ThisWorker identity)
    {
        var snapshot = app.Monitor.Snapshot;
        var w = new PrometheusWriter("faust_");
        var state = app.Monitor.State.ToString().ToLowerInvariant();

        w.Family("worker_info", "gauge", "This worker: app id, worker id, URL and state (the value is always 1).")
            .Sample("worker_info", 1, ("app", identity.App), ("worker", identity.Id), ("url", identity.Url), ("state", state));
        w.Family("worker_ready", "gauge", "1 once every assigned table partition has recovered and agents receive events.")
            .Sample("worker_ready", app.IsReady ? 1 : 0);
        w.Family("worker_generation", "gauge", "Partition assignments this worker has received.")
            .Sample("worker_generation", app.Monitor.Generation);
        if (app.Monitor.StartedAt is { } started)
        {
            w.Family("worker_start_time_seconds", "gauge", "When the worker started, in Unix seconds.")
                .Sample("worker_start_time_seconds", started.ToUnixTimeMilliseconds() / 1000.0);
        }

        w.Family("messages_received_total", "counter", "Records received by the consumer.");
        foreach (var topic in snapshot.Topics)
        {
            foreach (var p in topic.Partitions)
            {
                if (p.Received > 0 || p.Assigned)
                {
                    w.Sample("messages_received_total", p.Received, ("topic", topic.Name), ("partition", Text(p.Partition)));
                }
            }
        }

        w.Family("topic_messages_sent_total", "counter", "Records this worker sent, changelog records included.");
        foreach (var topic in snapshot.Topics)
        {
            foreach (var p in topic.Partitions)
            {
                if (p.Sent > 0)
                {
                    w.Sample("topic_messages_sent_total", p.Sent, ("topic", topic.Name), ("partition", Text(p.Partition)));
                }
            }
        }

        w.Family("total_events_total", "counter", "Events each agent processed.");
        foreach (var agent in snapshot.Agents)
        {
            w.Sample("total_events_total", agent.Processed, ("agent", agent.Name));
        }

        w.Family("agent_errors_total", "counter", "Crashes of each agent's function plus records it skipped because they did not decode.");
        foreach (var agent in snapshot.Agents)
        {
            w.Sample("agent_errors_total", agent.Errors, ("agent", agent.Name));
        }

        w.Family("events_runtime_ms", "summary",
            "Processing time of the events the monitor times (every event at low rates, one in 64 under load); the quantile is over the last 10 s.");
        foreach (var agent in snapshot.Agents)
        {
            if (agent.P99Ms is { } p99)
            {
                w.Sample("events_runtime_ms", p99, ("agent", agent.Name), ("quantile", "0.99"));
            }

            w.Sample("events_runtime_ms_sum", agent.TimedMsTotal, ("agent", agent.Name));
            w.Sample("events_runtime_ms_count", agent.TimedEvents, ("agent", agent.Name));
        }

        w.Family("table_operations_total", "counter", "Table gets, sets and deletes.");
        foreach (var table in snapshot.Tables)
        {
            w.Sample("table_operations_total", table.Gets, ("table", table.Name), ("operation", "get"));
            w.Sample("table_operations_total", table.Sets, ("table", table.Name), ("operation", "set"));
            w.Sample("table_operations_total", table.Deletes, ("table", table.Name), ("operation", "delete"));
        }

        w.Family("table_keys", "gauge", "Keys this worker holds, per table.");
        foreach (var table in app.TableViews)
        {
            w.Sample("table_keys", table.Count, ("table", table.Name));
        }

        var recovery = app.Engine?.Recovery;
        w.Family("recovery_records", "gauge", "Changelog records of the current recovery: total to apply and applied so far.")
            .Sample("recovery_records", recovery?.Total ?? 0, ("stage", "total"))
            .Sample("recovery_records", recovery?.Applied ?? 0, ("stage", "applied"));

        w.Family("consumer_commit_latency_ms", "summary", "How long offset commits take.")
            .Sample("consumer_commit_latency_ms_sum", snapshot.Commits.TotalMs)
            .Sample("consumer_commit_latency_ms_count", snapshot.Commits.Count);
        w.Family("assign_latency_ms", "summary", "From a partition assignment until its tables have recovered and its streams resume.")
            .Sample("assign_latency_ms_sum", snapshot.Assignments.TotalMs)
            .Sample("assign_latency_ms_count", snapshot.Assignments.Count);
        w.Family("total_rebalances_total", "counter", "Partition revocations.")
            .Sample("total_rebalances_total", snapshot.Rebalances);
        w.Family("errors_total", "counter", "Errors the monitor recorded: agent crashes, undecodable records, failed commits.")
            .Sample("errors_total", snapshot.ErrorsTotal);

        Offsets(w, snapshot, "consumer_lag", "End offset minus committed offset of each partition this worker consumes.", p => p.Lag);
        Offsets(w, snapshot, "topic_partition_end_offset", "The offset the next record of the partition will get.", p => p.EndOffset);
        Offsets(w, snapshot, "topic_partition_offset_committed", "The group's committed offset of each partition this worker consumes.",
            p => p.Assigned ? p.CommittedOffset : null);
        Offsets(w, snapshot, "consumer_commit_stalled_seconds",
            "Seconds a consumed partition has had events waiting without its committed offset moving, once past Faust:CommitLivelockSoftTimeout.",
            p => p.StalledSeconds is { } seconds ? (long)seconds : null);
        return w.ToString();
    }

    private static void Offsets(PrometheusWriter w, Diagnostics.MonitorSnapshot snapshot, string name, string help, Func<Diagnostics.PartitionSnapshot, long?> value)
    {
        w.Family(name, "gauge", help);
        foreach (var topic in snapshot.Topics)
        {
            foreach (var p in topic.Partitions)
            {
                if (value(p) is { } v)
                {
                    w.Sample(name, v, ("topic", topic.Name), ("partition", Text(p.Partition)));
                }
            }
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
