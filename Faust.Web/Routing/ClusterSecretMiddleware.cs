using System.Security.Cryptography;
using System.Text;
using Faust.Web.Endpoints;
using Faust.Web.Hosting;
using Microsoft.Extensions.Options;

namespace Faust.Web.Routing;

// With Faust:Web:ClusterSecret set, a request marked as forwarded (Faust-Forwarded-By) must carry the secret: 401
// without it, 403 with a wrong one. Unmarked requests from clients are not affected. Compared in constant time.
internal sealed class ClusterSecretMiddleware(RequestDelegate next, IOptions<FaustWebOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (options.Value.ClusterSecret is not { Length: > 0 } secret || !context.Request.Headers.ContainsKey(ForwardingHeaders.ForwardedBy))
        {
            return next(context);
        }

        var given = context.Request.Headers[ForwardingHeaders.ClusterSecret];
        if (given.Count == 0)
        {
            return Problems.ClusterSecretMissing().ExecuteAsync(context);
        }

        if (given.Count != 1 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given[0] ?? ""), Encoding.UTF8.GetBytes(secret)))
        {
            return Problems.ClusterSecretWrong().ExecuteAsync(context);
        }

        return next(context);
    }
}
