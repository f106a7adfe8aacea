using Faust.Tables;
using Faust.Web.Endpoints;
using Faust.Web.Hosting;
using Microsoft.Extensions.Options;

namespace Faust.Web.Routing;

// What a request for a key of a table becomes: answered here (null), forwarded one hop to the owner, or a problem.
// The hop rule lives here: a request that already carries Faust-Forwarded-By and reaches a worker that does not hold
// the partition gets 503 + Retry-After, never a second hop, so two workers with different views of the cluster can
// never bounce a request between them.
internal sealed class TableDispatch(TableRouter router, TableForwarder forwarder, IOptions<FaustWebOptions> options)
{
    public async ValueTask<IResult?> DispatchAsync(HttpContext context, ITableView table, string key, bool withBody)
    {
        var settings = options.Value;
        switch (router.Route(table, key))
        {
            case RouteResult.Local:
                return null;
            case RouteResult.InvalidKey invalid:
                return Problems.BadKey(table.Name, invalid.Reason);
            case RouteResult.Unavailable unavailable:
                return Problems.Unavailable(context, settings.RetryAfter, unavailable.Reason);
            case RouteResult.Remote when context.Request.Headers.ContainsKey(ForwardingHeaders.ForwardedBy):
                return Problems.Unavailable(context, settings.RetryAfter,
                    "This request was forwarded by another worker, but this worker does not hold the key's partition (the workers' views differ during a rebalance); it is not forwarded again.");
            case RouteResult.Remote remote:
                ReadOnlyMemory<byte>? body = null;
                if (withBody)
                {
                    var buffer = await RequestBody.ReadAsync(context, settings.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
                    if (buffer is null)
                    {
                        return Problems.BodyTooLarge(settings.MaxRequestBodyBytes);
                    }

                    body = buffer.WrittenMemory;
                }

                return await forwarder.ForwardAsync(context, remote, body).ConfigureAwait(false);
            default:
                return Problems.Unavailable(context, settings.RetryAfter, "This worker cannot answer for the key's partition.");
        }
    }
}
