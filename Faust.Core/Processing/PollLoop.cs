using Faust.Diagnostics;
using Faust.Runtime;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Processing;

// The one thread that polls the group consumer (rebalance callbacks run on it too). It never waits for agents: each
// batch goes to the inboxes of the agents reading its topic, which pause their partition when their buffer is full.
internal sealed partial class PollLoop(ITransportConsumer consumer, IReadOnlyDictionary<string, AgentInbox[]> inboxesByTopic, FaustMonitor monitor,
    ILogger logger)
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private Thread? _thread;
    private volatile Exception? _fault;

    /// <summary>Why the loop stopped before it was told to, or null.</summary>
    public Exception? Fault => _fault;

    /// <summary>True while the thread runs.</summary>
    public bool IsPolling => _thread is { IsAlive: true } && _fault is null;

    /// <summary>Starts the thread; it polls until <paramref name="stopping"/> fires.</summary>
    public void Start(string name, CancellationToken stopping)
    {
        _thread = new Thread(() => Run(stopping)) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Waits for the thread to end (after the stop token fired).</summary>
    public void Join() => _thread?.Join();

    private void Run(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            RecordBatch? batch;
            try
            {
                batch = consumer.Poll(PollTimeout);
            }
            catch (ObjectDisposedException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _fault = ex;
                LogPollFailed(logger, ex);
                return;
            }

            if (batch is null)
            {
                continue;
            }

            monitor.OnReceived(batch);
            if (inboxesByTopic.TryGetValue(batch.Partition.Topic, out var inboxes))
            {
                foreach (var inbox in inboxes)
                {
                    inbox.Deliver(batch);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "The poll loop failed; the worker receives no more events.")]
    private static partial void LogPollFailed(ILogger logger, Exception ex);
}
