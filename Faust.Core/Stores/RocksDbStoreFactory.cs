namespace Faust.Stores;

/// <summary>Opens RocksDB stores under <c>{directory}/{table}-{partition}.db</c>.</summary>
internal sealed class RocksDbStoreFactory(string directory, RocksDbStoreOptions options) : IStoreFactory
{
    public string Directory => directory;

    public IStore Open(string table, int partition) => RocksDbStore.Open(Path.Combine(directory, $"{table}-{partition}.db"), options);
}
