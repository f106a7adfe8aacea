using Faust.Timers;
using Microsoft.Extensions.Hosting;

namespace Faust.Web.Hosting;

// One per timer, crontab or task. Registered after FaustWorkerService, like the agents' services.
internal sealed class ScheduledTaskHostedService(FaustApp app, ScheduledTask task) : BackgroundService
{
    public ScheduledTask Task => task;

    protected override System.Threading.Tasks.Task ExecuteAsync(CancellationToken stoppingToken) => app.RunAsync(task, stoppingToken);
}
