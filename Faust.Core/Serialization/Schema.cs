using Faust.Transport;

namespace Faust.Serialization;

/// <summary>
/// How the keys and values of a topic or table are encoded (Faust's <c>faust.Schema</c>): the key and value types, a
/// codec or codec name for each, and hooks that pick a decoder from a record's headers.
/// </summary>
/// <remarks>
/// <para>For each of key and value give at most one of a codec object (<see cref="KeyCodec"/>) or a codec name
/// resolved by the app's <see cref="CodecRegistry"/> (<see cref="KeySerializer"/>, such as <c>raw</c> or
/// <c>json|binary</c>). With neither, the registry's default for the type applies (raw UTF-8 for strings, Faust's
/// JSON for records).</para>
/// <para>The header hooks serve header-driven formats (a producer that writes Avro or Protobuf and names the
/// format or schema id in a header): they run for every record read by an agent, before decoding; return null to
/// use the schema's codec. Tables decode their own changelog with the schema's codecs only.</para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class Schema<TKey, TValue>
{
    /// <summary>The key codec; null to use <see cref="KeySerializer"/> or the default.</summary>
    public ICodec<TKey>? KeyCodec { get; init; }

    /// <summary>The value codec; null to use <see cref="ValueSerializer"/> or the default.</summary>
    public ICodec<TValue>? ValueCodec { get; init; }

    /// <summary>The key codec by name (Faust's <c>key_serializer</c>), such as <c>raw</c> or <c>json</c>.</summary>
    public string? KeySerializer { get; init; }

    /// <summary>The value codec by name (Faust's <c>value_serializer</c>), such as <c>json</c> or <c>json|binary</c>.</summary>
    public string? ValueSerializer { get; init; }

    /// <summary>Picks the key decoder of a record from its headers (never null; empty when the record has none);
    /// null from the hook means the schema's key codec.</summary>
    public Func<IReadOnlyList<RecordHeader>, ICodec<TKey>?>? KeyDecoderFromHeaders { get; init; }

    /// <summary>Picks the value decoder of a record from its headers (never null; empty when the record has none);
    /// null from the hook means the schema's value codec.</summary>
    public Func<IReadOnlyList<RecordHeader>, ICodec<TValue>?>? ValueDecoderFromHeaders { get; init; }

    /// <summary>Resolves the key and value codecs against a registry.</summary>
    /// <exception cref="ArgumentException">Both a codec and a name are given, or a name does not resolve.</exception>
    internal (ICodec<TKey> Key, ICodec<TValue> Value) Resolve(CodecRegistry registry) =>
        (Pick(KeyCodec, KeySerializer, registry, "key"), Pick(ValueCodec, ValueSerializer, registry, "value"));

    private static ICodec<T> Pick<T>(ICodec<T>? codec, string? name, CodecRegistry registry, string what)
    {
        if (codec is not null && name is not null)
        {
            throw new ArgumentException($"The schema gives both a {what} codec and a {what} serializer name ('{name}'): give one.");
        }

        return codec ?? (name is null ? registry.Default<T>() : registry.Get<T>(name));
    }
}
