using Faust.Diagnostics;
using Faust.Routing;
using Faust.Runtime;
using Faust.Serialization;

namespace Faust.Tables;

/// <summary>What every kind of table shares: its name, description, partitions, changelog topic and the stores of the
/// partitions this worker holds.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
public abstract class TableBase<TKey>
{
    private volatile TopicName? _changelogTopic;

    private protected TableBase(AppRuntime app, string name, int? partitions, string? help)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        App = app;
        Name = name;
        DeclaredPartitions = partitions;
        Help = help;
        Stores = new PartitionedStores(name, () => ChangelogTopic, () => app.StoreFactory);
        Stats = app.Monitor.RegisterTable(name);
    }

    /// <summary>The table's name.</summary>
    public string Name { get; }

    /// <summary>A description shown by <c>GET /table/</c>.</summary>
    public string? Help { get; }

    /// <summary>The partition count given at declaration, or null for the app's <c>TopicPartitions</c>.</summary>
    public int? DeclaredPartitions { get; }

    /// <summary>The changelog topic: <c>{app id}-{table}-changelog</c>.</summary>
    public string ChangelogTopic
    {
        get
        {
            // Built once per app id and version (both may still change before the app starts), not once per write.
            var options = App.Options;
            var cached = _changelogTopic;
            if (cached is not null && ReferenceEquals(cached.Id, options.Id) && cached.Version == options.Version)
            {
                return cached.Topic;
            }

            var topic = $"{options.GroupId}-{Name}-changelog";
            _changelogTopic = new TopicName(options.Id, options.Version, topic);
            return topic;
        }
    }

    /// <summary>Number of keys held by this worker (owned partitions; standbys are not counted).</summary>
    public int Count => Stores.Count;

    /// <summary>Encodes keys (for the store, the changelog and routing).</summary>
    public abstract ICodec<TKey> KeyCodec { get; }

    private protected AppRuntime App { get; }

    private protected PartitionedStores Stores { get; }

    private protected TableStats Stats { get; }

    /// <summary>A key's bytes as the store, the changelog and the partitioner see them.</summary>
    private protected abstract byte[] EncodeKey(TKey key);

    /// <summary>The partition of a key given as text (HTTP), or null before the partitions are known.</summary>
    private protected int? PartitionOfKeyText(string keyText)
    {
        var count = Stores.PartitionCount;
        return count == 0 ? null : Partitioner.Default.PartitionFor(EncodeKey(TableKeyText.Parse<TKey>(keyText)).AsSpan(), count);
    }

    private sealed record TopicName(string Id, int Version, string Topic);
}
