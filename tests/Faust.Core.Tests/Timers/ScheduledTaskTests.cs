using Faust.App;
using Microsoft.Extensions.Time.Testing;

namespace Faust.Core.Tests.Timers;

public sealed class ScheduledTaskTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 18, 0, 0, TimeSpan.Zero);

    private static FaustApp NewApp(FakeTimeProvider time) => new(new FaustOptions { Id = "timers", Broker = "memory://" }, timeProvider: time);

    private static async Task AdvanceAsync(FakeTimeProvider time, TimeSpan by, TimeSpan step)
    {
        for (var t = TimeSpan.Zero; t < by; t += step)
        {
            time.Advance(step);
            await Task.Delay(5); // let the timer's continuation run on the thread pool
        }
    }

    [Fact]
    public async Task Timer_RunsEveryInterval_StartingOneIntervalAfterReady()
    {
        var time = new FakeTimeProvider(Start);
        await using var app = NewApp(time);
        var fired = new List<DateTimeOffset>();
        var timer = app.Timer(TimeSpan.FromSeconds(10), _ => { lock (fired) { fired.Add(time.GetUtcNow()); } return Task.CompletedTask; });
        await app.StartAsync();
        await app.WhenReady;
        await Task.Delay(50);
        lock (fired)
        {
            Assert.Empty(fired);
        }

        // The first due time is taken when the timer's continuation after Ready runs on the thread pool, which may be
        // after some of the clock's advances on a busy machine: advance while waiting, and check the interval from the
        // times of the runs. Advanced on a thread-pool thread (no synchronization context to post to), a run's
        // continuation runs inside Advance, so the callback reads the time the run was due.
        await Eventually.TrueAsync(async () =>
        {
            await Task.Run(() => time.Advance(TimeSpan.FromSeconds(1)));
            return timer.Runs >= 3;
        }, () => $"3 runs of a 10 s timer (saw {timer.Runs})");
        Assert.Equal(3, timer.Runs);
        DateTimeOffset[] at;
        lock (fired)
        {
            at = [.. fired];
        }

        Assert.Equal(3, at.Length);
        Assert.True(at[0] >= Start + TimeSpan.FromSeconds(10), $"the first run at {at[0]:O}, not before one interval after Ready ({Start:O})");
        Assert.Equal(TimeSpan.FromSeconds(10), at[1] - at[0]);
        Assert.Equal(TimeSpan.FromSeconds(10), at[2] - at[1]);
    }

    [Fact]
    public async Task Timer_KeepsGoing_AfterAnException()
    {
        var time = new FakeTimeProvider(Start);
        await using var app = NewApp(time);
        var calls = 0;
        var timer = app.Timer(TimeSpan.FromSeconds(1), _ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("first run fails");
            }

            return Task.CompletedTask;
        });
        await app.StartAsync();
        await app.WhenReady;
        // Advance while waiting: an advance made before the timer waits again would be lost on a busy machine.
        await Eventually.TrueAsync(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            return timer.Runs >= 2;
        }, "runs after the failing one");
        Assert.Equal(1, timer.Errors);
        Assert.Equal("first run fails", timer.LastError?.Message);
    }

    [Fact]
    public async Task Crontab_RunsAtTheTimesTheExpressionNames_InItsTimeZone()
    {
        var time = new FakeTimeProvider(Start); // 18:00 UTC
        await using var app = NewApp(time);
        var fired = new List<DateTimeOffset>();
        app.Crontab("30 18 * * *", _ => { lock (fired) { fired.Add(time.GetUtcNow()); } return Task.CompletedTask; });
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"); // UTC+9: 03:30 local = 18:30 UTC
        app.Crontab("30 3 * * *", _ => { lock (fired) { fired.Add(time.GetUtcNow().AddYears(100)); } return Task.CompletedTask; }, tokyo);
        await app.StartAsync();
        await app.WhenReady;
        await AdvanceAsync(time, TimeSpan.FromMinutes(40), TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => { lock (fired) { return fired.Count == 2; } }, "both crontabs at 18:30 UTC");
        Assert.All(fired, at => Assert.Equal(new TimeSpan(18, 30, 0), at.TimeOfDay));
    }

    [Fact]
    public async Task Task_RunsOnce_WhenReady_AndOnLeader()
    {
        var time = new FakeTimeProvider(Start);
        await using var app = NewApp(time);
        var runs = 0;
        var task = app.StartupTask(_ => { Interlocked.Increment(ref runs); return Task.CompletedTask; }, onLeader: true);
        await app.StartAsync();
        await Eventually.TrueAsync(() => task.Runs == 1, "the start-up task");
        await AdvanceAsync(time, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1));
        Assert.Equal(1, Volatile.Read(ref runs));
        Assert.True(app.Worker!.IsLeader);
    }

    [Fact]
    public void BadCronExpression_IsRefused_WithTheReason()
    {
        var app = new FaustApp();
        var error = Assert.Throws<ArgumentException>(() => app.Crontab("61 * * * *", _ => Task.CompletedTask));
        Assert.Contains("'61 * * * *' is not a cron expression", error.Message);
    }
}
