using System.Text;
using Faust.Stores;

namespace Faust.Core.Tests.Stores;

public sealed class RocksDbStoreTests
{
    private static readonly RocksDbStoreOptions Options = new() { BlockCacheSize = 8 * 1024 * 1024 };

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Writes_AreReadable_BeforeAndAfterFlush()
    {
        using var dir = new TempDirectory();
        using var store = RocksDbStore.Open(Path.Combine(dir.Path, "t-0.db"), Options);
        store.Put(B("a"), B("1"));
        Assert.True(store.TryGet(B("a"), out var before));
        Assert.Equal("1", Encoding.UTF8.GetString(before));
        store.Flush();
        Assert.Equal(0, store.PendingWrites);
        Assert.True(store.TryGet(B("a"), out var after));
        Assert.Equal("1", Encoding.UTF8.GetString(after));
        Assert.True(store.Delete(B("a")));
        Assert.False(store.TryGet(B("a"), out _));
        Assert.False(store.Delete(B("a")));
    }

    [Fact]
    public void Flush_PersistsDataAndAppliedOffsetTogether_UnflushedWritesAreNot()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "t-0.db");
        using (var store = RocksDbStore.Open(path, Options))
        {
            store.Put(B("a"), B("1"));
            store.SetAppliedOffset(41);
            store.Flush();
            store.Put(B("b"), B("2"));
            store.SetAppliedOffset(42);
        }

        using var reopened = RocksDbStore.Open(path, Options);
        Assert.Equal(41, reopened.AppliedOffset);
        Assert.True(reopened.TryGet(B("a"), out _));
        Assert.False(reopened.TryGet(B("b"), out _));
    }

    [Fact]
    public void Items_MergeTheOverlayWithWhatIsOnDisk()
    {
        using var dir = new TempDirectory();
        using var store = RocksDbStore.Open(Path.Combine(dir.Path, "t-0.db"), Options);
        store.Put(B("a"), B("1"));
        store.Put(B("b"), B("2"));
        store.Flush();
        store.Put(B("b"), B("3"));
        store.Delete(B("a"));
        store.Put(B("c"), B("4"));
        var items = store.Items().ToDictionary(kv => Encoding.UTF8.GetString(kv.Key), kv => Encoding.UTF8.GetString(kv.Value));
        Assert.Equal(new Dictionary<string, string> { ["b"] = "3", ["c"] = "4" }, items);
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public void Clear_DropsKeysAndOffset()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "t-0.db");
        using (var store = RocksDbStore.Open(path, Options))
        {
            store.Put(B("a"), B("1"));
            store.SetAppliedOffset(9);
            store.Flush();
            store.Clear();
        }

        using var reopened = RocksDbStore.Open(path, Options);
        Assert.Equal(-1, reopened.AppliedOffset);
        Assert.Empty(reopened.Items());
    }

    [Fact]
    public void ClosedPartition_CanBeReopened_InTheSameProcess()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "t-0.db");
        for (var i = 0; i < 3; i++)
        {
            using var store = RocksDbStore.Open(path, Options);
            store.Put(B("k"), B(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            store.Flush();
        }

        using var open = RocksDbStore.Open(path, Options);
        var error = Assert.Throws<InvalidOperationException>(() => RocksDbStore.Open(path, Options));
        Assert.Contains("locked by another worker", error.Message);
    }

    [Fact]
    public void ApplyChangelogBatch_PersistsRecordsAndTheirLastOffset_InOneWrite()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "t-0.db");
        using (var store = RocksDbStore.Open(path, Options))
        {
            store.Put(B("old"), B("0")); // an unflushed write goes into the same batch, before the records
            ChangelogEntry[] entries =
            [
                new(B("a"), B("1"), 10),
                new(B("b"), B("2"), 11),
                new(B("a"), null, 12),
                new(null, B("ignored"), 13),
                new(B("c"), B("past the count"), 14),
            ];
            store.ApplyChangelogBatch(entries.AsSpan(0, 4));
            Assert.Equal(0, store.PendingWrites);
            Assert.Equal(13, store.AppliedOffset);
            Assert.Equal(2, store.Count);
        }

        using var reopened = RocksDbStore.Open(path, Options);
        Assert.Equal(13, reopened.AppliedOffset);
        Assert.False(reopened.TryGet(B("a"), out _));
        Assert.True(reopened.TryGet(B("b"), out var b));
        Assert.Equal("2", Encoding.UTF8.GetString(b));
        Assert.True(reopened.TryGet(B("old"), out _));
        Assert.False(reopened.TryGet(B("c"), out _));
    }

    [Fact]
    public void Count_SeesTheOverlay_WithoutCountingAKeyTwice()
    {
        using var dir = new TempDirectory();
        using var store = RocksDbStore.Open(Path.Combine(dir.Path, "t-0.db"), Options);
        store.Put(B("a"), B("1"));
        store.Put(B("b"), B("1"));
        store.Flush();
        store.Put(B("a"), B("2")); // stored and pending: once
        store.Delete(B("b"));      // stored, pending delete: not counted
        store.Put(B("c"), B("1")); // pending only
        Assert.Equal(2, store.Count);
        store.Flush();
        Assert.Equal(2, store.Count);
    }
}
