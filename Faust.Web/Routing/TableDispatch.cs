using Faust.Tables;
using Faust.Web.Endpoints;
using Faust.Web.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Faust.Web.Routing;

// What a request for a key of a table becomes: answered here (null), forwarded one hop to the owner, or a problem.
// The hop rule lives here: a request that already carries Faust-Forwarded-By and reaches a worker that does not hold
// the partition gets 503 + Retry-After, never a second hop, so two workers with different views of the cluster can
// never bounce a request between them.
//
// A local answer is read after the routing decision, and a rebalance may close the partition in between (the read
// would then find no store and answer the table's default). So the reader takes a Hold and checks it after reading:
// the same store instance still open and recovered, or the answer is 503 instead.
//
// Standby reads (standbyReads: plain GET lookups only) are a second way of answering here: when the router finds no
// owner to forward to, or the forward fails (unreachable, timeout), and this worker's standby of the partition is
// within Faust:Web:StandbyReadMaxLag, the Hold carries the standby's lag and the caller reads that one store. A
// request that carries Faust-Forwarded-By may get a standby answer too (it is still one hop), but only when this
// worker sees no owner it could name: a remote owner that was not tried is never bypassed for a stale answer.
internal sealed class TableDispatch(TableRouter router, TableForwarder forwarder, IOptions<FaustWebOptions> options, FaustApp app)
{
    // Elsewhere is null when this worker answers; then Hold names the partition and store it answers from, and
    // Hold.StandbyLag whether that store is a standby replica (read it with ITableView.LookupStandby).
    public async ValueTask<(IResult? Elsewhere, Hold Hold)> RouteAsync(HttpContext context, ITableView table, string key, bool withBody,
        bool standbyReads = false)
    {
        var settings = options.Value;
        switch (router.Route(table, key, standbyReads && !withBody))
        {
            case RouteResult.Local local:
                return (null, Hold.On(table, local.Partition));
            case RouteResult.Standby standby:
                return (null, Hold.On(table, standby.Partition, standby.Lag));
            case RouteResult.InvalidKey invalid:
                return (Problems.BadKey(table.Name, invalid.Reason), default);
            case RouteResult.Unavailable unavailable:
                return (Problems.Unavailable(context, settings.RetryAfter, unavailable.Reason), default);
            case RouteResult.Remote when context.Request.Headers.ContainsKey(ForwardingHeaders.ForwardedBy):
                return (Problems.Unavailable(context, settings.RetryAfter,
                    "This request was forwarded by another worker, but this worker does not hold the key's partition (the workers' views differ during a rebalance); it is not forwarded again."), default);
            case RouteResult.Remote remote:
                ReadOnlyMemory<byte>? body = null;
                if (withBody)
                {
                    var buffer = await RequestBody.ReadAsync(context, settings.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
                    if (buffer is null)
                    {
                        return (Problems.BodyTooLarge(settings.MaxRequestBodyBytes), default);
                    }

                    body = buffer.WrittenMemory;
                }

                var outcome = await forwarder.SendAsync(context, remote, body).ConfigureAwait(false);
                if (outcome.Answer is { } answer)
                {
                    return (answer, default);
                }

                if (standbyReads && !withBody && router.StandbyOr(table, remote.Partition, outcome.Failure!) is RouteResult.Standby fallback)
                {
                    return (null, Hold.On(table, fallback.Partition, fallback.Lag));
                }

                return (Problems.Unavailable(context, settings.RetryAfter, outcome.Failure!), default);
            default:
                return (Problems.Unavailable(context, settings.RetryAfter, "This worker cannot answer for the key's partition."), default);
        }
    }

    // Whether what was read under the hold is an answer: the partition's store is the one routed to, and recovered
    // (a standby read: the same store instance, still open; if it was promoted meanwhile, it held at least as much).
    public bool StillHolds(Hold hold) =>
        hold.Store is not null && ReferenceEquals(hold.Table.StoreOf(hold.Partition), hold.Store)
        && (hold.StandbyLag is not null || (!hold.Table.IsStandby(hold.Partition) && app.Engine is { } worker && worker.IsRecovered(hold.Partition)));

    public ProblemHttpResult Moved(HttpContext context, Hold hold) =>
        Problems.Unavailable(context, options.Value.RetryAfter,
            $"Partition {hold.Partition} of table '{hold.Table.Name}' left this worker while it was read (a rebalance); try again.");

    // Tells the client its answer came from a standby replica and how far behind its changelog that replica was.
    public static void MarkStandby(HttpContext context, long lag)
    {
        context.Response.Headers[ForwardingHeaders.Standby] = "true";
        context.Response.Headers[ForwardingHeaders.StandbyLag] = lag.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    internal readonly record struct Hold(ITableView Table, int Partition, Stores.IStore? Store, long? StandbyLag = null)
    {
        // The partition's store as it is now: StillHolds compares against it after the read.
        public static Hold On(ITableView table, int partition, long? standbyLag = null) =>
            new(table, partition, table.StoreOf(partition), standbyLag);
    }
}
