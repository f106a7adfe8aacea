using System.Diagnostics;

namespace Faust.Kafka.Tests;

/// <summary>Waits for a condition with a deadline, failing with a message that names what was awaited.</summary>
public static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, string awaited, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), awaited, timeout);

    public static Task TrueAsync(Func<Task<bool>> condition, string awaited, TimeSpan? timeout = null) =>
        TrueAsync(condition, () => awaited, timeout);

    /// <summary>As above, describing the state at the deadline.</summary>
    public static Task TrueAsync(Func<bool> condition, Func<string> awaited, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), awaited, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> awaited, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds:F0} s waiting for {awaited()}.");
            }

            await Task.Delay(20);
        }
    }
}
