using Faust.Runtime;

namespace Faust.Agents;

// Faust's supervisor budget (mode's max_restarts over a window): at most `max` restarts within `window`; one
// more means the agent keeps failing, and the worker is stopped rather than spinning.
internal sealed class RestartBudget(int max, TimeSpan window, TimeProvider time)
{
    private readonly Queue<DateTimeOffset> _restarts = new();

    public bool TryTake()
    {
        var now = time.GetUtcNow();
        lock (_restarts)
        {
            while (_restarts.Count > 0 && now - _restarts.Peek() >= window)
            {
                _restarts.Dequeue();
            }

            if (_restarts.Count >= max)
            {
                return false;
            }

            _restarts.Enqueue(now);
            return true;
        }
    }
}
