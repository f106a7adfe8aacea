using Faust.Web.Endpoints;
using Faust.Web.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Faust.Web.Routing;

// One hop to the owner of a key (DESIGN decision 5): the method, the raw path and query (so a key's %2F reaches the
// owner as sent), the body and its content type go to the owner's URL from the cluster snapshot, marked with
// Faust-Forwarded-By (and the cluster secret when set); the owner's status, content type and body come back as they
// are. An owner that cannot be reached or does not answer within Faust:Web:ForwardTimeout is a 503 with Retry-After.
internal sealed partial class TableForwarder(IHttpClientFactory clients, IOptions<FaustWebOptions> options, FaustApp app, ILogger<TableForwarder> logger)
{
    public const string ClientName = "Faust.Forwarding";
    private static readonly UriCreationOptions Verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

    public async Task<IResult> ForwardAsync(HttpContext context, RouteResult.Remote remote, ReadOnlyMemory<byte>? body)
    {
        var outcome = await SendAsync(context, remote, body).ConfigureAwait(false);
        return outcome.Answer ?? Problems.Unavailable(context, options.Value.RetryAfter, outcome.Failure!);
    }

    // The owner's answer, or (Answer null) why the owner could not give one: unreachable or too slow. The caller turns
    // a failure into a standby read or a 503.
    public async Task<Outcome> SendAsync(HttpContext context, RouteResult.Remote remote, ReadOnlyMemory<byte>? body)
    {
        var settings = options.Value;
        var target = new Uri(remote.OwnerUrl + PathAndQuery(context), Verbatim);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        if (body is { } content)
        {
            request.Content = new ReadOnlyMemoryContent(content);
            if (context.Request.ContentType is { Length: > 0 } contentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        request.Headers.TryAddWithoutValidation(ForwardingHeaders.ForwardedBy, app.Engine?.WorkerId ?? "unknown");
        if (settings.ClusterSecret is { Length: > 0 } secret)
        {
            request.Headers.TryAddWithoutValidation(ForwardingHeaders.ClusterSecret, secret);
        }

        if (context.Request.Headers.Accept is { Count: > 0 } accept)
        {
            request.Headers.TryAddWithoutValidation("Accept", (IEnumerable<string?>)accept);
        }

        try
        {
            var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseContentRead, context.RequestAborted)
                .ConfigureAwait(false);
            return new Outcome(new ForwardedResult(response, remote.OwnerUrl), null);
        }
        catch (HttpRequestException ex)
        {
            LogUnreachable(logger, remote.OwnerUrl, remote.Partition, ex.Message);
            return new Outcome(null, $"The owner of partition {remote.Partition} ({remote.OwnerUrl}) could not be reached.");
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            LogTimedOut(logger, remote.OwnerUrl, remote.Partition, settings.ForwardTimeout.TotalSeconds);
            return new Outcome(null,
                $"The owner of partition {remote.Partition} ({remote.OwnerUrl}) did not answer within {settings.ForwardTimeout.TotalSeconds:0.###} s.");
        }
    }

    internal readonly record struct Outcome(IResult? Answer, string? Failure);

    // The request target as the client sent it (origin-form), so the owner decodes the key exactly as this worker did.
    private static string PathAndQuery(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (raw is { Length: > 0 } && raw[0] == '/')
        {
            return raw;
        }

        if (raw is { Length: > 0 } && Uri.TryCreate(raw, UriKind.Absolute, out var absolute))
        {
            return absolute.PathAndQuery;
        }

        return context.Request.PathBase.ToUriComponent() + context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The owner {Url} of partition {Partition} could not be reached: {Reason}. The client gets 503 or a standby read.")]
    private static partial void LogUnreachable(ILogger logger, string url, int partition, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The owner {Url} of partition {Partition} did not answer within {Seconds} s. The client gets 503 or a standby read.")]
    private static partial void LogTimedOut(ILogger logger, string url, int partition, double seconds);
}
