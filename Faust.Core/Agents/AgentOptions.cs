using Faust.Runtime;

namespace Faust.Agents;

/// <summary>How an agent runs: its actors, its supervision and its failure policy (Faust's <c>@app.agent</c>
/// arguments, plus retries and dead-lettering, which Faust lacks).</summary>
/// <remarks>
/// <para><b>Failures.</b> When the agent's code throws while it holds an event, the actor is restarted (a crash) and
/// gets the same event again, up to <see cref="MaxRetries"/> times, waiting <see cref="RetryBackoff"/> before the
/// first retry and twice as long before each next one (at most <see cref="MaxRetryBackoff"/>). If it still fails,
/// <see cref="OnFailedEvent"/> decides: by default the event goes to the dead-letter topic
/// <c>{app id}-{agent}-dlq</c> and is acknowledged. An event is never silently lost.</para>
/// <para><b>Supervision.</b> <see cref="Supervisor"/> restarts the crashed actor, or all of the agent's actors, or
/// stops the worker. More than <see cref="MaxRestarts"/> crashes within <see cref="RestartWindow"/> stop the worker
/// (Faust's default budget: 100 per second).</para>
/// </remarks>
public sealed class AgentOptions
{
    /// <summary>Actors that share the agent's stream; events go to them in turn (round-robin). Above 1 the order of
    /// events is lost, so the agent may not write tables (as in Faust). Default 1.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>One actor per assigned partition, started when the partition is assigned and stopped when it is
    /// revoked (Faust's <c>isolated_partitions</c>). Needs a single topic source and <see cref="Concurrency"/> 1.
    /// Default false.</summary>
    public bool IsolatedPartitions { get; init; }

    /// <summary>What a crash restarts. Default <see cref="SupervisorStrategy.OneForOne"/>.</summary>
    public SupervisorStrategy Supervisor { get; init; } = SupervisorStrategy.OneForOne;

    /// <summary>Crashes allowed within <see cref="RestartWindow"/> before the worker stops. Default 100.</summary>
    public int MaxRestarts { get; init; } = 100;

    /// <summary>The window of the restart budget. Default 1 s.</summary>
    public TimeSpan RestartWindow { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many times a failing event is retried before <see cref="OnFailedEvent"/> applies. Default 2.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>The wait before the first retry; it doubles for each next one. Also the first wait before restarting
    /// an actor that crashed outside any event. Default 100 ms.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between retries or restarts. Default 5 s.</summary>
    public TimeSpan MaxRetryBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>What happens to an event that still fails after its retries. Default <see cref="FailedEventAction.DeadLetter"/>.</summary>
    public FailedEventAction OnFailedEvent { get; init; } = FailedEventAction.DeadLetter;

    /// <summary>How long <c>AskAsync</c>, <c>Map</c> and <c>JoinAsync</c> wait for a reply when no timeout is given. Default 30 s.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the options.</summary>
    /// <returns>One message per bad option, naming it and what it accepts; empty when all are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Concurrency < 1)
        {
            errors.Add($"Concurrency {Concurrency} is not valid: use 1 or more.");
        }

        if (IsolatedPartitions && Concurrency != 1)
        {
            errors.Add($"IsolatedPartitions runs one actor per partition: it needs Concurrency 1, not {Concurrency}.");
        }

        if (MaxRestarts < 0)
        {
            errors.Add($"MaxRestarts {MaxRestarts} is not valid: use 0 or more.");
        }

        if (RestartWindow <= TimeSpan.Zero)
        {
            errors.Add($"RestartWindow {RestartWindow} is not valid: use a duration above 0.");
        }

        if (MaxRetries < 0)
        {
            errors.Add($"MaxRetries {MaxRetries} is not valid: use 0 or more.");
        }

        if (RetryBackoff < TimeSpan.Zero || MaxRetryBackoff < RetryBackoff)
        {
            errors.Add($"RetryBackoff {RetryBackoff} and MaxRetryBackoff {MaxRetryBackoff} are not valid: use 0 <= RetryBackoff <= MaxRetryBackoff.");
        }

        if (AskTimeout <= TimeSpan.Zero)
        {
            errors.Add($"AskTimeout {AskTimeout} is not valid: use a duration above 0.");
        }

        if (!Enum.IsDefined(Supervisor))
        {
            errors.Add($"Supervisor {Supervisor} is not valid: use OneForOne, OneForAll or StopWorker.");
        }

        if (!Enum.IsDefined(OnFailedEvent))
        {
            errors.Add($"OnFailedEvent {OnFailedEvent} is not valid: use DeadLetter, Skip or StopWorker.");
        }

        return errors;
    }

    internal TimeSpan BackoffFor(int attempt)
    {
        var ticks = RetryBackoff.Ticks;
        for (var i = 1; i < attempt && ticks < MaxRetryBackoff.Ticks; i++)
        {
            ticks *= 2;
        }

        return TimeSpan.FromTicks(Math.Min(ticks, MaxRetryBackoff.Ticks));
    }
}
