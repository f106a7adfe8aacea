namespace Faust.Stores;

/// <summary>Opens the store of one table partition.</summary>
internal interface IStoreFactory
{
    IStore Open(string table, int partition);
}
