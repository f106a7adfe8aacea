using Faust.App;
using Faust.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Faust.Web.Hosting;

// Registered by AddFaust before any agent's service: hosted services start in registration order and stop in
// reverse, so the worker consumes before agents read and commits only after they have stopped.
internal sealed partial class FaustWorkerService(
    FaustApp app,
    IOptions<FaustOptions> options,
    ILoggerFactory loggerFactory,
    TimeProvider time,
    CanonicalUrl canonicalUrl,
    FaustInstruments instruments,
    IHostApplicationLifetime lifetime,
    ILogger<FaustWorkerService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        app.Configure(settings, loggerFactory, time);
        _ = instruments; // created with the worker, so events are timed into events_runtime from the first one
        await app.StartWorkerAsync(cancellationToken).ConfigureAwait(false);
        lifetime.ApplicationStarted.Register(() =>
        {
            // The server's address is known now: the other workers may forward requests for this worker's keys to it.
            app.Engine?.PublishUrl(canonicalUrl.Value);
            LogServing(logger, settings.Id, canonicalUrl.Value);
        });

        // An agent whose supervisor gives up (StopWorker, or a spent restart budget) stops the whole server: the host
        // stops the agents, then this service commits what was processed and closes the worker.
        _ = app.WhenCrashed.ContinueWith(crash =>
        {
            LogCrashed(logger, crash.Result, settings.Id);
            lifetime.StopApplication();
        }, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public Task StopAsync(CancellationToken cancellationToken) => app.StopWorkerAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Critical, Message = "An agent of app {App} stopped the worker; the server stops.")]
    private static partial void LogCrashed(ILogger logger, Exception ex, string app);

    [LoggerMessage(Level = LogLevel.Information, Message = "Faust.NET app {App} serves its tables at {Url}.")]
    private static partial void LogServing(ILogger logger, string app, string url);
}
