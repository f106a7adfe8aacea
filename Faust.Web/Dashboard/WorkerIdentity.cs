using Faust.App;
using Faust.Web.Hosting;
using Microsoft.Extensions.Options;

namespace Faust.Web.Dashboard;

// Who this worker is, as the dashboard, /api and /metrics name it: an id that stays the same while the process runs
// ({host}-{pid}), and the canonical URL other workers and browsers reach it at.
internal sealed class WorkerIdentity(IOptions<FaustOptions> options, CanonicalUrl url)
{
    public string Id { get; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    public string Url => url.Value;

    public string App => options.Value.Id;

    public FaustOptions Options => options.Value;
}
