namespace Faust.Transport.Log;

/// <summary>
/// Wakes one waiting consumer. Producers signal only the consumers that read the topic they wrote, and a signal
/// costs one interlocked increment unless the consumer is actually asleep.
/// </summary>
internal sealed class ConsumerSignal
{
    private readonly object _lock = new();
    private long _version;
    private int _waiting;

    public long Version => Volatile.Read(ref _version);

    public void Signal()
    {
        Interlocked.Increment(ref _version);
        if (Volatile.Read(ref _waiting) != 0)
        {
            lock (_lock)
            {
                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>Blocks until a signal after <paramref name="seen"/> or the timeout.</summary>
    public void Wait(long seen, TimeSpan timeout)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            lock (_lock)
            {
                if (Volatile.Read(ref _version) == seen)
                {
                    Monitor.Wait(_lock, timeout);
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }
}
