using System.Runtime.CompilerServices;

namespace Faust.Diagnostics;

// Counts of one table's operations. An agent owns one per table it touches: its actor is the only writer, so the
// counts are plain increments. Calls from outside any agent (HTTP lookups, writes from a timer or a request) share
// one per table and pass shared: true, which interlocks. The changelog records a table sends are counted where the
// worker produces them (after the changelog buffer has folded repeated writes of a key), not here.
internal sealed class TableOps
{
    private long _gets;
    private long _sets;
    private long _deletes;

    public long Gets => Volatile.Read(ref _gets);

    public long Sets => Volatile.Read(ref _sets);

    public long Deletes => Volatile.Read(ref _deletes);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Get(bool shared) => Bump(ref _gets, shared);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(bool shared) => Bump(ref _sets, shared);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Delete(bool shared) => Bump(ref _deletes, shared);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Bump(ref long counter, bool shared)
    {
        if (shared)
        {
            Interlocked.Increment(ref counter);
        }
        else
        {
            Volatile.Write(ref counter, counter + 1);
        }
    }
}
