using Faust.Timers;
using Microsoft.Extensions.Logging;

namespace Faust.Web.Hosting;

// One per timer, crontab or task. Registered after FaustWorkerService, like the agents' services.
internal sealed class ScheduledTaskHostedService(FaustApp app, ScheduledTask task, ILogger<ScheduledTaskHostedService> logger)
    : FaustBackgroundService(app, $"Scheduled task {task.Name}", logger)
{
    public ScheduledTask Task => task;

    protected override System.Threading.Tasks.Task ExecuteAsync(CancellationToken stoppingToken) => App.RunAsync(task, stoppingToken);
}
