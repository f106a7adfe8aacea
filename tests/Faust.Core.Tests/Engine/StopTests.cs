using Faust.App;

namespace Faust.Core.Tests.Engine;

// Stopping with an agent stuck in an event (deaf to cancellation): the stop goes on without it after the grace,
// commits what was acknowledged (exactly_once: nothing more, while that event is in flight), and the stuck event is
// processed again by the next run. Before, the stop waited for the agent for ever.
public sealed class StopTests
{
    [Theory]
    [InlineData("at_least_once")]
    [InlineData("exactly_once")]
    public async Task Stop_GoesOnWithoutAStuckAgent_AndTheStuckEventIsProcessedAgainAfterARestart(string guarantee)
    {
        using var dir = new TempDirectory();
        var broker = "embedded://" + Path.Combine(dir.Path, "broker");
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            var (first, orders, firstSeen) = NewApp(broker, guarantee, dir.Path, async n =>
            {
                if (n == 2)
                {
                    entered.TrySetResult();
                    await stuck.Task; // ignores the stop's cancellation
                }
            });
            first.StopGrace = TimeSpan.FromMilliseconds(300);
            await first.StartAsync();
            await first.WhenReady;
            await orders.SendAsync("k", 1);
            await Eventually.TrueAsync(() => firstSeen.Contains(1), "the first event");
            await first.CommitAsync();
            await orders.SendAsync("k", 2);
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // Would never complete before: the agent never finishes its event.
            await first.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

            var (second, _, secondSeen) = NewApp(broker, guarantee, dir.Path, _ => Task.CompletedTask);
            await using (second)
            {
                await second.StartAsync();
                await Eventually.TrueAsync(() => secondSeen.Contains(2), "the stuck event, processed again after the restart");
                Assert.Equal([2], secondSeen.ToArray()); // the first event was committed and is not processed again
            }
        }
        finally
        {
            stuck.TrySetResult();
        }
    }

    private static (FaustApp App, Faust.Topics.Topic<string, int> Orders, System.Collections.Concurrent.ConcurrentQueue<int> Seen) NewApp(string broker, string guarantee, string data, Func<int, Task> onEvent)
    {
        var app = new FaustApp(new FaustOptions
        {
            Id = "stop",
            Broker = broker,
            DataDirectory = Path.Combine(data, "data"),
            ProcessingGuarantee = guarantee,
            TopicPartitions = 1,
            CommitInterval = TimeSpan.FromHours(1),
        });
        var seen = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var orders = app.Topic<string, int>("orders");
        app.Agent(orders, async (stream, ct) =>
        {
            await foreach (var (_, n) in stream.Items().WithCancellation(ct))
            {
                seen.Enqueue(n);
                await onEvent(n);
            }
        });
        return (app, orders, seen);
    }
}
