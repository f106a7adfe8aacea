using System.Diagnostics;

namespace Faust.Dashboard.Tests;

// Waits for a condition with a deadline; the failure names what was awaited and the last value seen.
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var last = await probe();
            if (done(last))
            {
                return last;
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}; last seen: {last}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
