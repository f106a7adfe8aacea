using Faust.App;
using Faust.Tables;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faust.Core.Tests.Tables;

public sealed class ChangelogFollowerTests
{
    [Fact]
    public async Task FollowedPartitions_TrackAnotherWorkersWrites_AndResumeFromTheAppliedOffset()
    {
        var broker = $"memory://follower-{Guid.NewGuid():N}";
        await using var writer = new Engine.ClickCounterApp(broker, id: "follow");
        writer.App.Options.ChangelogBufferSize = 0; // one changelog record per click, so applied records can be counted
        await writer.StartAsync();

        // A second copy of the same app, not started: only its table's stores are opened and fed by a follower.
        var replica = new FaustApp(new FaustOptions { Id = "follow", Broker = broker });
        var counts = replica.Table<string, long>("click_counts", () => 0L);
        ITableView view = counts;
        view.OpenPartitions(Enumerable.Range(0, 8), 8);
        await using var transport = Faust.App.TransportFactory.Create(replica.Options, NullLoggerFactory.Instance);
        await using var follower = new ChangelogFollower(transport, NullLogger.Instance, TimeProvider.System);
        follower.Follow(Enumerable.Range(0, 8).Select(p => (view, p)));

        for (var i = 0; i < 100; i++)
        {
            await writer.Clicks.SendAsync($"u{i % 10}", 1);
        }

        await writer.WaitProcessedAsync(100);
        await Eventually.TrueAsync(() => Enumerable.Range(0, 10).All(i => counts[$"u{i}"] == 10), "the replica to see 10 clicks per URL");
        // Applied counts a batch once all of it is applied, after its records are visible in the store.
        Assert.Equal(100, await AppliedAtLeastAsync(follower, 100));

        // Following again (a rebalance) starts after what each store has applied: nothing is applied twice.
        follower.Follow(Enumerable.Range(0, 8).Select(p => (view, p)));
        await writer.Clicks.SendAsync("u0", 5);
        await Eventually.TrueAsync(() => counts["u0"] == 15, "the replica to see the new click");
        Assert.Equal(101, await AppliedAtLeastAsync(follower, 101));
        Assert.Equal(10, counts["u1"]);
    }

    private static Task<long> AppliedAtLeastAsync(ChangelogFollower follower, long records) =>
        Eventually.UntilAsync(() => Task.FromResult(follower.Applied), applied => applied >= records, $"the follower to count {records} applied records");
}
