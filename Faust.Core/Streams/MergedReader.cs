using Faust.Runtime;

namespace Faust.Streams;

// Merged sources (AgentSource.Merge): takes from each source in turn, so a busy source cannot starve the others,
// and sends every acknowledgement back to the source the event came from (by topic name).
internal sealed class MergedReader<TKey, TValue> : IEventReader<TKey, TValue>
{
    private readonly IEventReader<TKey, TValue>[] _readers;
    private readonly string[] _topics;
    private readonly bool[] _ended;
    private int _next;

    public MergedReader(IEventReader<TKey, TValue>[] readers, string[] topics)
    {
        _readers = readers;
        _topics = topics;
        _ended = new bool[readers.Length];
    }

    public bool TryRead(out Event<TKey, TValue> next)
    {
        for (var i = 0; i < _readers.Length; i++)
        {
            var index = (_next + i) % _readers.Length;
            if (_readers[index].TryRead(out next))
            {
                _next = (index + 1) % _readers.Length;
                return true;
            }
        }

        next = default;
        return false;
    }

    public async ValueTask<bool> WaitToReadAsync(CancellationToken ct)
    {
        using var first = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var waits = new List<Task<bool>>(_readers.Length);
        var owners = new List<int>(_readers.Length);
        for (var i = 0; i < _readers.Length; i++)
        {
            if (_ended[i])
            {
                continue;
            }

            var wait = _readers[i].WaitToReadAsync(first.Token);
            if (wait.IsCompletedSuccessfully)
            {
                if (wait.Result)
                {
                    return true;
                }

                _ended[i] = true;
                continue;
            }

            waits.Add(wait.AsTask());
            owners.Add(i);
        }

        while (waits.Count > 0)
        {
            var done = await Task.WhenAny(waits).ConfigureAwait(false);
            var index = waits.IndexOf(done);
            if (done.IsCanceled)
            {
                ct.ThrowIfCancellationRequested();
            }

            if (await done.ConfigureAwait(false))
            {
                await first.CancelAsync().ConfigureAwait(false);
                return true;
            }

            _ended[owners[index]] = true;
            waits.RemoveAt(index);
            owners.RemoveAt(index);
        }

        return false;
    }

    public void Ack(in Event<TKey, TValue> processed)
    {
        for (var i = 0; i < _topics.Length; i++)
        {
            if (string.Equals(_topics[i], processed.Topic, StringComparison.Ordinal))
            {
                _readers[i].Ack(processed);
                return;
            }
        }
    }
}
