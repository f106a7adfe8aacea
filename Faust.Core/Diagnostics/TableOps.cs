using System.Runtime.CompilerServices;

namespace Faust.Diagnostics;

// Counts of one table's operations. An agent owns one per table it touches: its actor is the only writer, so the
// counts are plain increments. Calls from outside any agent (HTTP lookups, writes from a timer or a request) share
// one per table and pass shared: true, which interlocks. Writes are counted per changelog partition: they are the
// records the table sends.
internal sealed class TableOps
{
    private readonly object _growLock = new();
    private long[] _writes = [];
    private long _gets;
    private long _sets;
    private long _deletes;

    public long Gets => Volatile.Read(ref _gets);

    public long Sets => Volatile.Read(ref _sets);

    public long Deletes => Volatile.Read(ref _deletes);

    /// <summary>Changelog records written, by partition.</summary>
    public long[] Writes => Volatile.Read(ref _writes);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Get(bool shared) => Bump(ref _gets, shared);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int partition, bool shared)
    {
        Bump(ref _sets, shared);
        Wrote(partition, shared);
    }

    public void Delete(bool shared) => Bump(ref _deletes, shared);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Wrote(int partition, bool shared)
    {
        var writes = Volatile.Read(ref _writes);
        if ((uint)partition >= (uint)writes.Length)
        {
            writes = Grow(partition);
        }

        Bump(ref writes[partition], shared);
    }

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

    // Rare (once per partition count change). A shared writer may race a grow and lose one count: statistics, not
    // bookkeeping.
    private long[] Grow(int partition)
    {
        lock (_growLock)
        {
            var writes = _writes;
            if (partition < writes.Length)
            {
                return writes;
            }

            var grown = new long[Math.Max(partition + 1, writes.Length * 2)];
            Array.Copy(writes, grown, writes.Length);
            Volatile.Write(ref _writes, grown);
            return grown;
        }
    }
}
