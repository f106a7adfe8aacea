using Faust.Processing;
using Faust.Runtime;
using Microsoft.Extensions.Logging;

namespace Faust.Timers;

/// <summary>
/// Code the app runs on a schedule: a timer (every interval), a crontab (at the times a cron expression names) or a
/// task (once, after start-up and recovery). Declare them with <see cref="FaustDeclarations.Timer"/>,
/// <see cref="FaustDeclarations.Crontab"/> and <see cref="FaustDeclarations.StartupTask"/>.
/// </summary>
/// <remarks>
/// <para>Scheduled code starts once the worker is ready (every assigned table partition recovered), so it reads
/// current tables. Time comes from the app's <see cref="TimeProvider"/>.</para>
/// <para>An exception is logged and counted and the schedule goes on (Faust crashes the worker instead, rh#578).
/// A run that takes longer than the interval delays the next one; missed ticks are not replayed in a burst.</para>
/// <para>With <c>onLeader: true</c> the code runs only on the group's leader: the worker assigned partition 0 of
/// the internal topic <c>{app id}-__assignor-__leader</c> (on the embedded and memory brokers, the one worker). The
/// check happens at each run, so leadership may move between runs.</para>
/// </remarks>
public sealed partial class ScheduledTask : IWorkerTask
{
    private readonly Func<CancellationToken, Task> _action;
    private readonly Func<DateTimeOffset, DateTimeOffset?> _first;
    private readonly Func<DateTimeOffset, DateTimeOffset, DateTimeOffset?> _next;
    private long _runs;
    private long _errors;

    internal ScheduledTask(string name, string schedule, bool onLeader, Func<CancellationToken, Task> action,
        Func<DateTimeOffset, DateTimeOffset?> first, Func<DateTimeOffset, DateTimeOffset, DateTimeOffset?> next)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(action);
        Name = name;
        Schedule = schedule;
        OnLeader = onLeader;
        _action = action;
        _first = first;
        _next = next;
    }

    /// <summary>The name in logs.</summary>
    public string Name { get; }

    /// <summary>The schedule as declared: an interval, a cron expression, or "once".</summary>
    public string Schedule { get; }

    /// <summary>Whether it runs only on the leader.</summary>
    public bool OnLeader { get; }

    /// <summary>Runs that completed.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Runs that threw.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>When the last run threw: the exception, else null.</summary>
    public Exception? LastError { get; private set; }

    async Task IWorkerTask.RunAsync(IWorkerRuntime worker, CancellationToken stopping)
    {
        var time = worker.Time;
        try
        {
            await worker.Ready.WaitAsync(stopping).ConfigureAwait(false);
            var due = _first(time.GetUtcNow());
            while (due is { } when)
            {
                var wait = when - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stopping).ConfigureAwait(false);
                }

                if (!OnLeader || worker.IsLeader)
                {
                    await RunOnceAsync(worker.Logger, stopping).ConfigureAwait(false);
                }

                due = _next(when, time.GetUtcNow());
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task RunOnceAsync(ILogger logger, CancellationToken stopping)
    {
        try
        {
            await _action(stopping).ConfigureAwait(false);
            Interlocked.Increment(ref _runs);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _errors);
            LastError = ex;
            LogFailed(logger, ex, Name, Schedule);
        }
    }

    // Fixed rate from the previous due time; a run that overran starts the next one at once, without a burst.
    internal static ScheduledTask Every(string name, TimeSpan interval, bool onLeader, Func<CancellationToken, Task> action)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "A timer's interval must be above zero.");
        }

        return new ScheduledTask(name, $"every {interval}", onLeader, action,
            now => now + interval,
            (previous, now) => previous + interval > now ? previous + interval : now);
    }

    internal static ScheduledTask Once(string name, bool onLeader, Func<CancellationToken, Task> action) =>
        new(name, "once", onLeader, action, now => now, (_, _) => null);

    internal static ScheduledTask Cron(string name, string expression, TimeZoneInfo? timeZone, bool onLeader, Func<CancellationToken, Task> action)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(expression);
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        Cronos.CronExpression cron;
        try
        {
            cron = Cronos.CronExpression.Parse(expression, fields == 6 ? Cronos.CronFormat.IncludeSeconds : Cronos.CronFormat.Standard);
        }
        catch (Cronos.CronFormatException ex)
        {
            throw new ArgumentException($"Crontab '{name}': '{expression}' is not a cron expression ({ex.Message}). Use five fields (minute hour day month weekday), or six with seconds first.", nameof(expression), ex);
        }

        var zone = timeZone ?? TimeZoneInfo.Utc;
        return new ScheduledTask(name, $"{expression} ({zone.Id})", onLeader, action,
            now => cron.GetNextOccurrence(now, zone),
            (previous, now) => cron.GetNextOccurrence(previous > now ? previous : now, zone));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled task {Task} ({Schedule}) threw; it runs again at its next time.")]
    private static partial void LogFailed(ILogger logger, Exception ex, string task, string schedule);
}
