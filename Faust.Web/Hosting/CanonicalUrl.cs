using System.Net;
using Faust.App;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Faust.Web.Hosting;

// The URL other workers and clients use to reach this worker (Faust's canonical_url): what /router/ reports and,
// later, where requests for this worker's partitions are forwarded.
//
// Faust:CanonicalUrl when set. Otherwise the server's first address once it listens: a wildcard host (0.0.0.0,
// [::], + or *) becomes the machine's host name, as in Faust, because a wildcard bind means "reachable from other
// machines" and "localhost" would send other workers to themselves. An address is not known before the server
// starts, nor on an in-memory test server: then http://localhost:6066, the default address, stands in and is not
// remembered, so the real address wins once there is one.
internal sealed class CanonicalUrl(IOptions<FaustOptions> options, IServiceProvider services)
{
    public const string Fallback = "http://localhost:6066";

    private string? _resolved;

    public string Value => _resolved ?? Resolve();

    private string Resolve()
    {
        if (options.Value.CanonicalUrl is { Length: > 0 } configured)
        {
            return _resolved = configured.TrimEnd('/');
        }

        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault();
        if (first is null)
        {
            return Fallback;
        }

        return _resolved = Normalize(first);
    }

    internal static string Normalize(string address)
    {
        // Kestrel reports wildcard binds as given (http://+:80, http://*:80, http://0.0.0.0:80, http://[::]:80);
        // '+' and '*' are not valid URI hosts, so the host is replaced textually.
        var schemeEnd = address.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return address.TrimEnd('/');
        }

        var authorityStart = schemeEnd + 3;
        var pathStart = address.IndexOf('/', authorityStart);
        var authority = pathStart < 0 ? address[authorityStart..] : address[authorityStart..pathStart];
        var portStart = authority.StartsWith('[') ? authority.IndexOf("]:", StringComparison.Ordinal) + 1 : authority.LastIndexOf(':');
        var host = portStart > 0 ? authority[..portStart] : authority;
        var port = portStart > 0 ? authority[portStart..] : "";
        if (host is "0.0.0.0" or "[::]" or "+" or "*")
        {
            host = Dns.GetHostName();
        }

        return $"{address[..authorityStart]}{host}{port}".TrimEnd('/');
    }
}
