using Faust.App;
using Faust.Web.Hosting;
using Microsoft.Extensions.Options;

namespace Faust.Web.Dashboard;

// Who this worker is, as the dashboard, /api and /metrics name it: Faust:WorkerId (the id the Kafka transport uses
// for its client and transactional ids, generated once and kept in the data directory when not set), and the
// canonical URL other workers and browsers reach it at.
internal sealed class ThisWorker(IOptions<FaustOptions> options, CanonicalUrl url, FaustApp app)
{
    private readonly Lazy<string> _id = new(() => Resolve(options.Value));

    // The running worker's own id first: on memory:// an id is not persisted, so resolving it again would differ.
    public string Id => app.Engine?.WorkerId ?? _id.Value;

    public string Url => url.Value;

    public string App => options.Value.Id;

    public FaustOptions Options => options.Value;

    // memory:// keeps nothing on disk, so its id is not persisted either (as the worker does). An unwritable data
    // directory must not take the dashboard down: the process then gets an id of its own.
    private static string Resolve(FaustOptions options)
    {
        try
        {
            return Faust.App.WorkerIdentity.Resolve(options, persist: !options.Broker.StartsWith("memory:", StringComparison.OrdinalIgnoreCase));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{Environment.MachineName}-{Environment.ProcessId}";
        }
    }
}
