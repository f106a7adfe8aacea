using RocksDbSharp;

namespace Faust.Stores;

/// <summary>Tuning of the RocksDB table stores, bound from <c>Faust:RocksDb</c>.</summary>
public sealed class RocksDbStoreOptions
{
    private Cache? _cache;

    /// <summary>Block cache shared by every table partition of the worker, in bytes. Default 256 MiB.</summary>
    public long BlockCacheSize { get; set; } = 256L * 1024 * 1024;

    /// <summary>Memtable size per partition, in bytes (Faust's <c>write_buffer_size</c>). Default 16 MiB.</summary>
    public long WriteBufferSize { get; set; } = 16L * 1024 * 1024;

    /// <summary>Memtables per partition before writes stall (Faust's <c>max_write_buffer_number</c>). Default 3.</summary>
    public int MaxWriteBufferNumber { get; set; } = 3;

    /// <summary>Open files per partition database; -1 keeps all open. Default 256.</summary>
    public int MaxOpenFiles { get; set; } = 256;

    internal Cache SharedCache => _cache ??= Cache.CreateLru((ulong)BlockCacheSize);

    /// <summary>Lists what is wrong, naming each setting.</summary>
    public IEnumerable<string> Validate()
    {
        if (BlockCacheSize < 1024 * 1024)
        {
            yield return $"Faust:RocksDb:BlockCacheSize {BlockCacheSize} is not valid: use at least 1048576 bytes.";
        }

        if (WriteBufferSize < 64 * 1024)
        {
            yield return $"Faust:RocksDb:WriteBufferSize {WriteBufferSize} is not valid: use at least 65536 bytes.";
        }

        if (MaxWriteBufferNumber < 2)
        {
            yield return $"Faust:RocksDb:MaxWriteBufferNumber {MaxWriteBufferNumber} is not valid: use 2 or more.";
        }

        if (MaxOpenFiles is 0 or < -1)
        {
            yield return $"Faust:RocksDb:MaxOpenFiles {MaxOpenFiles} is not valid: use -1 (no limit) or a positive number.";
        }
    }
}
