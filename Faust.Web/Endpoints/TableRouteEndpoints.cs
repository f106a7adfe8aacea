using System.Diagnostics.CodeAnalysis;
using Faust.Tables;
using Faust.Web.Hosting;
using Faust.Web.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Options;

namespace Faust.Web.Endpoints;

/// <summary>User-defined endpoints routed to the worker that holds a table key (Faust's <c>@app.table_route</c>).</summary>
public static class TableRouteEndpoints
{
    private const string KeyItem = "Faust.TableRouteKey";

    /// <summary>
    /// Maps an endpoint whose handler runs on the worker that holds the request's table key: any worker accepts the
    /// request, and one that does not hold the key forwards it, body included, to the one that does (one hop), and
    /// answers with the owner's status, content type and body.
    /// </summary>
    /// <remarks>
    /// <para>While the key's partition has no known owner (a rebalance) or its owner cannot be reached, the answer is
    /// 503 with <c>Retry-After</c>; the handler never runs on a worker that does not hold the key, so it may read the
    /// table directly. Its answer is buffered and replaced by a 503 when a rebalance took the partition away while it
    /// ran (unless the handler started the response itself). Standby reads (<c>Faust:Web:StandbyReadMaxLag</c>) never
    /// apply here, GET included: the handler reads the table as its owner, and reads hide standby partitions. A POST body larger than
    /// <c>Faust:Web:MaxRequestBodyBytes</c> gets 413.</para>
    /// <para>The key is the text of the route parameter <paramref name="keyFrom"/> names, percent-decoded exactly once
    /// (so a key may hold <c>/</c>, sent as <c>%2F</c>), or, when the pattern has no such parameter, of the query
    /// parameter of that name. In the handler, <see cref="GetTableKey"/> returns it.</para>
    /// </remarks>
    /// <param name="endpoints">The app, usually the <c>WebApplication</c>.</param>
    /// <param name="table">The table whose key routes the request.</param>
    /// <param name="pattern">The route pattern, for example <c>/count/{url}</c>.</param>
    /// <param name="keyFrom">The route parameter (or query parameter) that holds the key.</param>
    /// <param name="handler">The minimal-API handler that runs on the key's owner.</param>
    /// <param name="methods">The HTTP methods; default GET and POST.</param>
    /// <returns>The endpoint's builder, for metadata and conventions.</returns>
    public static RouteHandlerBuilder MapTableRoute<TKey, TValue>(this IEndpointRouteBuilder endpoints, Table<TKey, TValue> table,
        [StringSyntax("Route")] string pattern, string keyFrom, Delegate handler, IEnumerable<string>? methods = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyFrom);
        ArgumentNullException.ThrowIfNull(pattern);
        var segmentFromEnd = SegmentFromEnd(RoutePatternFactory.Parse(pattern), keyFrom);
        return endpoints.MapTableRoute(table, pattern, context => segmentFromEnd is { } n
            ? RawSegment(context, n, keyFrom)
            : context.Request.Query[keyFrom] is { Count: > 0 } query ? query[0] : null, handler, methods);
    }

    /// <summary>As <see cref="MapTableRoute{TKey, TValue}(IEndpointRouteBuilder, Table{TKey, TValue}, string, string, Delegate, IEnumerable{string}?)"/>,
    /// with the key taken from the request by <paramref name="keyFrom"/> (null: 400).</summary>
    /// <param name="endpoints">The app, usually the <c>WebApplication</c>.</param>
    /// <param name="table">The table whose key routes the request.</param>
    /// <param name="pattern">The route pattern.</param>
    /// <param name="keyFrom">Reads the key's text from the request; it must not read the body.</param>
    /// <param name="handler">The minimal-API handler that runs on the key's owner.</param>
    /// <param name="methods">The HTTP methods; default GET and POST.</param>
    /// <returns>The endpoint's builder, for metadata and conventions.</returns>
    public static RouteHandlerBuilder MapTableRoute<TKey, TValue>(this IEndpointRouteBuilder endpoints, Table<TKey, TValue> table,
        [StringSyntax("Route")] string pattern, Func<HttpContext, string?> keyFrom, Delegate handler, IEnumerable<string>? methods = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(keyFrom);
        ArgumentNullException.ThrowIfNull(handler);
        ITableView view = table;
        var builder = endpoints.MapMethods(pattern, methods?.ToArray() ?? [HttpMethods.Get, HttpMethods.Post], handler);
        builder.Add(endpoint =>
        {
            // The routing decision runs before the handler's parameters are bound, so a forwarded POST still has its
            // body to forward: the handler itself only ever runs on the key's owner.
            var inner = endpoint.RequestDelegate!;
            endpoint.RequestDelegate = context => RouteAsync(context, view, keyFrom, inner);
        });
        return builder;
    }

    /// <summary>The table key of the request a <c>MapTableRoute</c> handler serves, decoded; null elsewhere.</summary>
    /// <param name="context">The request's context.</param>
    public static string? GetTableKey(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(KeyItem, out var key) ? key as string : null;
    }

    private static async Task RouteAsync(HttpContext context, ITableView table, Func<HttpContext, string?> keyFrom, RequestDelegate inner)
    {
        if (keyFrom(context) is not { } key)
        {
            await Problems.MissingRouteKey(table.Name).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var services = context.RequestServices;
        var limit = services.GetRequiredService<IOptions<FaustWebOptions>>().Value.MaxRequestBodyBytes;
        var withBody = !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method);
        if (withBody && !RequestBody.LimitTo(context, limit))
        {
            await Problems.BodyTooLarge(limit).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var dispatch = services.GetRequiredService<TableDispatch>();
        var (elsewhere, hold) = await dispatch.RouteAsync(context, table, key, withBody).ConfigureAwait(false);
        if (elsewhere is not null)
        {
            await elsewhere.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        // The handler's answer is held back until it is known that the partition stayed here while the handler read
        // it: a rebalance that closed it meanwhile would have made the table read as empty (see TableDispatch).
        context.Items[KeyItem] = key;
        var body = context.Response.Body;
        using var buffered = new MemoryStream();
        context.Response.Body = buffered;
        try
        {
            await inner(context).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = body;
        }

        if (!dispatch.StillHolds(hold) && !context.Response.HasStarted)
        {
            context.Response.Clear();
            await dispatch.Moved(context, hold).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        buffered.Position = 0;
        await buffered.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    // Which path segment, counted from the end, is exactly the parameter: counting from the end still works when the
    // endpoint is mapped in a group with a prefix. Null when the parameter is not a whole segment of the pattern.
    private static int? SegmentFromEnd(RoutePattern pattern, string name)
    {
        var segments = pattern.PathSegments;
        for (var i = 0; i < segments.Count; i++)
        {
            if (segments[i].IsSimple && segments[i].Parts[0] is RoutePatternParameterPart { IsCatchAll: false } parameter
                && string.Equals(parameter.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return segments.Count - 1 - i;
            }
        }

        return null;
    }

    private static string? RawSegment(HttpContext context, int fromEnd, string name)
    {
        var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            return context.GetRouteValue(name) is string value ? value.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase) : null;
        }

        var end = raw.AsSpan().IndexOfAny('?', '#');
        var path = end < 0 ? raw.AsSpan() : raw.AsSpan(0, end);
        if (path.Length > 1 && path[^1] == '/')
        {
            path = path[..^1];
        }

        for (var i = 0; i < fromEnd; i++)
        {
            var slash = path.LastIndexOf('/');
            if (slash < 0)
            {
                return null;
            }

            path = path[..slash];
        }

        return RawPathKey.TryDecode(RawPathKey.LastSegment(path), out var key) ? key : null;
    }
}
