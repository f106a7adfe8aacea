using Faust.App;
using Faust.Web.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faust.Web.Tests.Hosting;

// An agent's hosted service stops within the app's stop grace even when its agent is stuck in an event and deaf to
// cancellation: BackgroundService alone waits for it as long as the host lets it, and the worker service stopping
// after it (commit, leave the group) would get no time.
public sealed class AgentHostedServiceTests
{
    [Fact]
    public async Task Stop_ReturnsAfterTheGrace_WhileTheAgentIsStuckInAnEvent()
    {
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = new FaustApp(new FaustOptions { Id = "hosted-stop", Broker = "memory://", TopicPartitions = 1 });
        app.StopGrace = TimeSpan.FromMilliseconds(200);
        var orders = app.Topic<string, int>("orders");
        var agent = app.Agent(orders, async (stream, ct) =>
        {
            await foreach (var _ in stream.WithCancellation(ct))
            {
                entered.TrySetResult();
                await stuck.Task; // ignores cancellation
            }
        });
        try
        {
            await app.StartWorkerAsync(CancellationToken.None);
            var service = new AgentHostedService(app, agent, NullLogger<AgentHostedService>.Instance);
            await service.StartAsync(CancellationToken.None);
            await orders.SendAsync("o-1", 1);
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

            await service.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.False(service.ExecuteTask!.IsCompleted); // left behind, not waited for
        }
        finally
        {
            stuck.TrySetResult();
        }
    }
}
