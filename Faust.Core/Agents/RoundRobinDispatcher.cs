using System.Threading.Channels;
using Faust.Runtime;
using Faust.Streams;

namespace Faust.Agents;

// Concurrency N: one dispatcher reads the agent's source and hands event k to actor k mod N (round-robin, as in
// Faust). Each actor holds at most one event waiting besides the one it processes, so a slow actor holds the
// dispatcher, the source's buffer fills and the partitions pause: memory stays bounded. Acknowledgements go
// straight to the source (thread safe), so each partition still commits over contiguous acknowledgements only.
internal sealed class RoundRobinDispatcher<TKey, TValue>
{
    private readonly IEventReader<TKey, TValue> _source;
    private readonly Slot[] _slots;

    public RoundRobinDispatcher(IEventReader<TKey, TValue> source, int actors)
    {
        _source = source;
        _slots = new Slot[actors];
        for (var i = 0; i < actors; i++)
        {
            _slots[i] = new Slot(source);
        }
    }

    public IEventReader<TKey, TValue> ReaderOf(int actor) => _slots[actor];

    public async Task RunAsync(CancellationToken stopping)
    {
        var next = 0;
        try
        {
            while (true)
            {
                while (_source.TryRead(out var e))
                {
                    await _slots[next].Events.Writer.WriteAsync(e, stopping).ConfigureAwait(false);
                    next = (next + 1) % _slots.Length;
                }

                if (!await _source.WaitToReadAsync(stopping).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var slot in _slots)
            {
                slot.Events.Writer.TryComplete();
            }
        }
    }

    private sealed class Slot(IEventReader<TKey, TValue> source) : IEventReader<TKey, TValue>
    {
        public Channel<Event<TKey, TValue>> Events { get; } = Channel.CreateBounded<Event<TKey, TValue>>(new BoundedChannelOptions(1)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        public bool TryRead(out Event<TKey, TValue> next) => Events.Reader.TryRead(out next);

        public ValueTask<bool> WaitToReadAsync(CancellationToken ct) => Events.Reader.WaitToReadAsync(ct);

        public void Ack(in Event<TKey, TValue> processed) => source.Ack(processed);
    }
}
