namespace Faust.Web.Routing;

// The owner's answer, relayed: status, content type, Retry-After and Faust's own headers (standby reads), body.
internal sealed class ForwardedResult(HttpResponseMessage response, string ownerUrl) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using (response)
        {
            var target = httpContext.Response;
            target.StatusCode = (int)response.StatusCode;
            target.Headers[ForwardingHeaders.ForwardedTo] = ownerUrl;
            if (response.Headers.RetryAfter is { } retryAfter)
            {
                target.Headers.RetryAfter = retryAfter.ToString();
            }

            foreach (var (name, values) in response.Headers)
            {
                if (name.StartsWith("Faust-", StringComparison.OrdinalIgnoreCase) && !name.Equals(ForwardingHeaders.ForwardedTo, StringComparison.OrdinalIgnoreCase))
                {
                    target.Headers[name] = values.ToArray();
                }
            }

            var body = await response.Content.ReadAsByteArrayAsync(httpContext.RequestAborted).ConfigureAwait(false);
            if (response.Content.Headers.ContentType is { } contentType)
            {
                target.ContentType = contentType.ToString();
            }

            target.ContentLength = body.Length;
            await target.Body.WriteAsync(body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
