using Faust.Processing;
using Faust.Streams;
using Faust.Topics;
using Microsoft.Extensions.Logging;

namespace Faust.Agents;

/// <summary>
/// A stream processor: an async function over the stream of a topic or channel (Faust's <c>@app.agent</c>).
/// </summary>
/// <remarks>
/// <para>The function runs as one actor. When it throws, the event being processed is acknowledged (as in Faust),
/// the error is logged and counted, and the function is started again on the same stream after a short,
/// growing delay: a bad event never stops the worker. When the worker stops, the stream ends and the function is
/// expected to return.</para>
/// </remarks>
/// <typeparam name="TKey">The key type of the source.</typeparam>
/// <typeparam name="TValue">The value type of the source.</typeparam>
public sealed partial class Agent<TKey, TValue> : IAgent
{
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(5);
    private readonly Func<Stream<TKey, TValue>, CancellationToken, Task> _handler;
    private long _crashes;

    internal Agent(string name, AgentSource<TKey, TValue> source, Func<Stream<TKey, TValue>, CancellationToken, Task> handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Source = source;
        _handler = handler;
    }

    /// <summary>The agent's name (unique in the app).</summary>
    public string Name { get; }

    /// <summary>What the agent reads.</summary>
    public AgentSource<TKey, TValue> Source { get; }

    /// <summary>How many times the agent's function has thrown.</summary>
    public long Crashes => Interlocked.Read(ref _crashes);

    string? IAgent.SourceTopic => Source.SubscribedTopic;

    string IAgent.SourceName => Source.Name;

    async Task IWorkerTask.RunAsync(Worker worker, CancellationToken stopping)
    {
        var reader = Source.CreateReader(worker, this);
        var delay = TimeSpan.FromMilliseconds(100);
        while (!stopping.IsCancellationRequested)
        {
            var context = new StreamContext { AgentName = Name, Stats = worker.Monitor.Agent(Name) };
            StreamContext.Current = context;
            var stream = new Stream<TKey, TValue>(Source.Name, reader, context, worker.Gate, stopping);
            try
            {
                await _handler(stream, stopping).ConfigureAwait(false);
                if (!stopping.IsCancellationRequested)
                {
                    LogReturned(worker.Logger, Name);
                }

                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _crashes);
                context.Stats?.OnCrashed(ex);
                LogCrashed(worker.Logger, ex, Name, delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, worker.Time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRestartDelay.Ticks));
            }
            finally
            {
                StreamContext.Current = null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Agent {Agent} crashed; the event it was processing is acknowledged and the agent restarts in {DelayMs} ms.")]
    private static partial void LogCrashed(ILogger logger, Exception ex, string agent, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {Agent} returned before the worker stopped; it processes no more events.")]
    private static partial void LogReturned(ILogger logger, string agent);
}
