using System.Collections.Concurrent;

namespace Faust.Stores;

/// <summary>A volatile store (<c>memory://</c>): rebuilt from the changelog at every start.</summary>
internal sealed class MemoryStore : IStore
{
    private readonly ConcurrentDictionary<byte[], byte[]> _data = new(ByteArrayComparer.Instance);
    private long _appliedOffset = -1;

    public long AppliedOffset => Interlocked.Read(ref _appliedOffset);

    public bool IsPersistent => false;

    public int Count => _data.Count;

    public bool TryGet(byte[] key, out byte[] value) => _data.TryGetValue(key, out value!);

    public void Put(byte[] key, byte[] value) => _data[key] = value;

    public bool Delete(byte[] key) => _data.TryRemove(key, out _);

    public void ApplyChangelog(byte[] key, byte[]? value, long offset)
    {
        if (value is null)
        {
            _data.TryRemove(key, out _);
        }
        else
        {
            _data[key] = value;
        }

        SetAppliedOffset(offset);
    }

    public void SetAppliedOffset(long offset) => MonotonicOffset.Advance(ref _appliedOffset, offset);

    public void Flush()
    {
    }

    public IEnumerable<KeyValuePair<byte[], byte[]>> Items() => _data;

    public void Clear()
    {
        _data.Clear();
        Interlocked.Exchange(ref _appliedOffset, -1);
    }

    public void Dispose()
    {
    }
}
