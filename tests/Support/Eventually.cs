using System.Diagnostics;

namespace Faust.Tests.Support;

/// <summary>
/// Waits for a condition with a deadline, never a bare delay; a timeout fails the test with a message that names what
/// was awaited (and, for <see cref="UntilAsync{T}"/>, the last value seen). Compiled into every test project from
/// tests/Directory.Build.props.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(20);

    public static Task TrueAsync(Func<bool> condition, string awaited, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), () => awaited, timeout);

    public static Task TrueAsync(Func<Task<bool>> condition, string awaited, TimeSpan? timeout = null) =>
        TrueAsync(condition, () => awaited, timeout);

    /// <summary>As above, describing the state at the deadline.</summary>
    public static Task TrueAsync(Func<bool> condition, Func<string> awaited, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), awaited, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> awaited, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {awaited()}.");
            }

            await Task.Delay(PollEvery);
        }
    }

    /// <summary>Probes until <paramref name="done"/> holds for the value probed, and returns that value.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var last = await probe();
            if (done(last))
            {
                return last;
            }

            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}; last seen: {last}.");
            }

            await Task.Delay(PollEvery);
        }
    }
}
