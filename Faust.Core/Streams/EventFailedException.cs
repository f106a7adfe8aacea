using Faust.Runtime;

namespace Faust.Streams;

// Thrown by a stream operator (a filter's predicate, an echo) when agent code fails on an event before the
// agent's loop sees it. The enumerator parks the event, as if the loop had failed on it, and rethrows the
// original exception, so the supervisor retries or dead-letters it instead of leaving a hole in the commits.
internal sealed class EventFailedException<TKey, TValue>(Event<TKey, TValue> failed, Exception inner)
    : Exception(inner.Message, inner)
{
    public Event<TKey, TValue> Failed { get; } = failed;
}
