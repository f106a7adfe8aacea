namespace Faust.Stores;

/// <summary>Opens <see cref="MemoryStore"/>s.</summary>
internal sealed class MemoryStoreFactory : IStoreFactory
{
    public IStore Open(string table, int partition) => new MemoryStore();
}
