using System.Buffers.Binary;
using System.Text.Json;
using Faust.Diagnostics;
using Faust.Routing;
using Faust.Runtime;
using Faust.Serialization;
using Faust.Stores;
using Faust.Streams;
using Faust.Transport;

namespace Faust.Tables;

/// <summary>
/// A table whose values are sets (Faust's <c>SetTable</c>): <c>Add</c> and <c>Discard</c> members of a key's set.
/// </summary>
/// <remarks>
/// <para>Only the change travels in the changelog, one record per member: the record key is the table key and the
/// member together, the value is a marker for an add and a tombstone for a discard. So the changelog stays small
/// (no full set per change), and compaction keeps exactly the last operation per member: a compacted changelog
/// still rebuilds every set.</para>
/// <para>Partitioning, thread safety and recovery are those of <see cref="Table{TKey, TValue}"/>. A missing key
/// reads as the empty set.</para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TMember">The member type.</typeparam>
public sealed class SetTable<TKey, TMember> : TableBase<TKey>, ITableView
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private static readonly byte[] AddMarker = [1];
    private readonly object _writeLock = new();

    internal SetTable(AppRuntime app, string name, int? partitions, string? help, ICodec<TKey>? keyCodec, ICodec<TMember>? memberCodec)
        : base(app, name, partitions, help)
    {
        KeyCodec = keyCodec ?? app.Codecs.Default<TKey>();
        MemberCodec = memberCodec ?? app.Codecs.Default<TMember>();
    }

    PartitionedStores ITableView.Stores => Stores;

    /// <inheritdoc />
    public override ICodec<TKey> KeyCodec { get; }

    /// <summary>Encodes members.</summary>
    public ICodec<TMember> MemberCodec { get; }

    /// <summary>A snapshot of the key's set; empty when the key has none.</summary>
    public IReadOnlySet<TMember> this[TKey key]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(key);
            var context = StreamContext.Current;
            Stats.For(context?.Stats, out var shared).Get(shared);
            return Stores.TryGet(EncodeKey(key), context, out var stored, out _) ? DecodeSet(stored) : new HashSet<TMember>();
        }
    }

    /// <summary>Whether the key's set holds the member.</summary>
    public bool Contains(TKey key, TMember member) => this[key].Contains(member);

    /// <summary>Adds a member to the key's set.</summary>
    /// <returns>False when it was already there (nothing is written).</returns>
    public bool Add(TKey key, TMember member) => Change(key, member, add: true);

    /// <summary>Removes a member from the key's set.</summary>
    /// <returns>False when it was not there (nothing is written).</returns>
    public bool Discard(TKey key, TMember member) => Change(key, member, add: false);

    /// <summary>Keys and sets held by this worker.</summary>
    public IEnumerable<KeyValuePair<TKey, IReadOnlySet<TMember>>> Items()
    {
        foreach (var store in Stores.All)
        {
            if (store is null)
            {
                continue;
            }

            foreach (var (key, value) in store.Items().ToArray())
            {
                yield return new(KeyCodec.Decode(key), DecodeSet(value));
            }
        }
    }

    private bool Change(TKey key, TMember member, bool add)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(member);
        Stores.ThrowIfConcurrent(Streams.StreamContext.Current);
        var keyBytes = EncodeKey(key);
        var memberBytes = MemberCodec.Encode(member) ?? throw new InvalidOperationException($"The member codec of table '{Name}' encoded a member as null.");
        int partition;
        lock (_writeLock)
        {
            partition = Stores.TryGet(keyBytes, out _, out var found) ? found : Stores.WritePartition(keyBytes);
            if (!Apply(Stores.Require(partition), keyBytes, memberBytes, add))
            {
                return false;
            }
        }

        App.Changelog.ProduceChangelog(new TopicPartition(ChangelogTopic, partition), ChangelogKey(keyBytes, memberBytes), add ? AddMarker : null);

        // An add counts as a set, a discard as a delete.
        var ops = Stats.For(StreamContext.Current?.Stats, out var shared);
        if (add)
        {
            ops.Set(shared);
        }
        else
        {
            ops.Delete(shared);
        }

        return true;
    }

    // A set is stored as its members' encodings, each prefixed with its length; an empty set is no key at all.
    private static bool Apply(IStore store, byte[] keyBytes, byte[] memberBytes, bool add)
    {
        var members = store.TryGet(keyBytes, out var stored) ? Split(stored) : [];
        var index = members.FindIndex(m => m.AsSpan().SequenceEqual(memberBytes));
        if (add == index >= 0)
        {
            return false;
        }

        if (add)
        {
            members.Add(memberBytes);
        }
        else
        {
            members.RemoveAt(index);
        }

        if (members.Count == 0)
        {
            store.Delete(keyBytes);
        }
        else
        {
            store.Put(keyBytes, Join(members));
        }

        return true;
    }

    private static List<byte[]> Split(byte[] stored)
    {
        var members = new List<byte[]>();
        for (var at = 0; at < stored.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(stored.AsSpan(at));
            members.Add(stored.AsSpan(at + 4, length).ToArray());
            at += 4 + length;
        }

        return members;
    }

    private static byte[] Join(List<byte[]> members)
    {
        var result = new byte[members.Sum(m => m.Length + 4)];
        var at = 0;
        foreach (var member in members)
        {
            BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(at), member.Length);
            member.CopyTo(result, at + 4);
            at += 4 + member.Length;
        }

        return result;
    }

    private static byte[] ChangelogKey(byte[] keyBytes, byte[] memberBytes)
    {
        var result = new byte[4 + keyBytes.Length + memberBytes.Length];
        BinaryPrimitives.WriteInt32BigEndian(result, keyBytes.Length);
        keyBytes.CopyTo(result, 4);
        memberBytes.CopyTo(result, 4 + keyBytes.Length);
        return result;
    }

    private HashSet<TMember> DecodeSet(byte[] stored) => [.. Split(stored).Select(m => MemberCodec.Decode(m))];

    private protected override byte[] EncodeKey(TKey key) =>
        KeyCodec.Encode(key) ?? throw new InvalidOperationException($"The key codec of table '{Name}' encoded a key as null.");

    bool ITableView.HasDefault => true;

    bool ITableView.IsGlobal => false;

    TableLookup ITableView.Lookup(string keyText)
    {
        if (!TableKeyText.TryParse<TKey>(keyText, out var key, out var badKey))
        {
            return badKey;
        }

        return Answer(this[key]);
    }

    TableLookup ITableView.LookupStandby(string keyText, int partition)
    {
        if (!TableKeyText.TryParse<TKey>(keyText, out var key, out var badKey))
        {
            return badKey;
        }

        return Answer(Stores.StoreOf(partition) is { } store && store.TryGet(EncodeKey(key), out var stored) ? DecodeSet(stored) : []);
    }

    // A missing key reads as the empty set.
    private static TableLookup Answer(IReadOnlySet<TMember> set) =>
        new(set.Count > 0 ? TableLookupStatus.Found : TableLookupStatus.Default, JsonSerializer.SerializeToUtf8Bytes(set, JsonOptions));

    TablePage ITableView.Browse(int? partition, int offset, int limit) =>
        Stores.Browse(partition, offset, limit, key => TableKeyText.Format(KeyCodec.Decode(key)),
            value => JsonSerializer.SerializeToUtf8Bytes(DecodeSet(value), JsonOptions));

    int? ITableView.PartitionOf(string keyText) => PartitionOfKeyText(keyText);

    void ITableView.ApplyChangelog(int partition, byte[] key, byte[]? value, long offset)
    {
        var store = Stores.Require(partition);
        var keyLength = BinaryPrimitives.ReadInt32BigEndian(key);
        lock (_writeLock)
        {
            Apply(store, key.AsSpan(4, keyLength).ToArray(), key.AsSpan(4 + keyLength).ToArray(), add: value is not null);
        }

        store.SetAppliedOffset(offset);
    }

    void ITableView.OnRecovered(IReadOnlyCollection<int> partitions, long applied)
    {
    }
}
