using Faust.Runtime;

namespace Faust.Streams;

// Events the handler's stream held when its loop ended without moving past them. The stream parks them here
// instead of acknowledging them, and the actor's supervisor decides:
// - InFlight: handed to the loop. After a normal exit (break, return) they were processed: acknowledged (unless
//   the stream is in no-ack mode, where acknowledging is the agent's business). After a failure they are the
//   failing events: retried, then dead-lettered.
// - Unprocessed: read from the source but never handed out (a batch being collected). Handed to the next run
//   first, never counted as failed.
internal sealed class InterruptedEvents<TKey, TValue>
{
    private readonly List<Entry> _entries = [];

    public int InFlightCount
    {
        get
        {
            var count = 0;
            foreach (var entry in _entries)
            {
                count += entry.Unprocessed ? 0 : 1;
            }

            return count;
        }
    }

    public bool IsEmpty => _entries.Count == 0;

    public void Park(IEventReader<TKey, TValue> reader, in Event<TKey, TValue> interrupted, bool ackOnExit) =>
        _entries.Add(new Entry(reader, interrupted, ackOnExit, Unprocessed: false));

    public void ParkUnprocessed(IEventReader<TKey, TValue> reader, in Event<TKey, TValue> unprocessed) =>
        _entries.Add(new Entry(reader, unprocessed, AckOnExit: false, Unprocessed: true));

    /// <summary>The in-flight events, in the order they were handed out.</summary>
    public IEnumerable<Event<TKey, TValue>> InFlight
    {
        get
        {
            foreach (var entry in _entries)
            {
                if (!entry.Unprocessed)
                {
                    yield return entry.Event;
                }
            }
        }
    }

    /// <summary>The loop ended normally: acknowledges what the stream would have; keeps the unprocessed ones.</summary>
    public void CompleteExit()
    {
        _entries.RemoveAll(entry =>
        {
            if (entry.Unprocessed)
            {
                return false;
            }

            if (entry.AckOnExit)
            {
                entry.Reader.Ack(entry.Event);
            }

            return true;
        });
    }

    /// <summary>Acknowledges the in-flight events (after dead-lettering or skipping them); keeps the unprocessed ones.</summary>
    public void AckInFlight()
    {
        _entries.RemoveAll(entry =>
        {
            if (entry.Unprocessed)
            {
                return false;
            }

            entry.Reader.Ack(entry.Event);
            return true;
        });
    }

    /// <summary>Takes every parked event out, in the order they were parked, to hand them to the next run.</summary>
    public Event<TKey, TValue>[] TakeForReplay()
    {
        var events = new Event<TKey, TValue>[_entries.Count];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = _entries[i].Event;
        }

        _entries.Clear();
        return events;
    }

    private readonly record struct Entry(IEventReader<TKey, TValue> Reader, Event<TKey, TValue> Event, bool AckOnExit, bool Unprocessed);
}
