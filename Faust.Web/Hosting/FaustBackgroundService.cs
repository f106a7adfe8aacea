using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Faust.Web.Hosting;

// An agent's or a scheduled task's hosted service. Stopping waits at most the app's stop grace (10 s) for it: one
// stuck in an event, deaf to cancellation, is logged and left behind, so the worker service after it still commits
// what was acknowledged and leaves the group within the host's shutdown time.
internal abstract partial class FaustBackgroundService(FaustApp app, string name, ILogger logger) : BackgroundService
{
    protected FaustApp App { get; } = app;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(App.StopGrace);
        await base.StopAsync(grace.Token).ConfigureAwait(false);
        if (ExecuteTask is { IsCompleted: false })
        {
            LogStillRunning(logger, name, App.StopGrace.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name} was still running {Seconds} s after it was told to stop; the server stops without it, and an event it is in is not committed and will be processed again.")]
    private static partial void LogStillRunning(ILogger logger, string name, double seconds);
}
