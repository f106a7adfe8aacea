using System.Collections.Concurrent;

namespace Faust.Serialization;

/// <summary>
/// Codecs by name, as Faust's <c>faust.serializers.codecs</c>: <c>raw</c>, <c>string</c>, <c>json</c> and
/// <c>binary</c> are built in, users register their own, and names chain with <c>|</c> (<c>json|binary</c>).
/// </summary>
/// <remarks>
/// <para>Built-in names:</para>
/// <list type="table">
/// <item><term><c>raw</c></term><description><see cref="T:byte[]"/> unchanged; <see cref="string"/> as UTF-8 (<see cref="Codecs.Bytes"/>, <see cref="Codecs.Utf8String"/>).</description></item>
/// <item><term><c>string</c></term><description><see cref="string"/> as UTF-8.</description></item>
/// <item><term><c>json</c></term><description>Faust's JSON for any type, with <see cref="Json"/> (<see cref="Codecs.Record{T}(FaustJsonOptions?)"/>).</description></item>
/// <item><term><c>binary</c></term><description>base64 (<see cref="Codecs.Binary"/>) of <see cref="T:byte[]"/>, or of a <see cref="string"/>'s UTF-8.</description></item>
/// </list>
/// <para>In a chain the first name encodes the value and every next name must encode <see cref="T:byte[]"/>: it
/// transforms the bytes before it (<c>json|binary</c> is base64 of the JSON). Names are case-sensitive.</para>
/// <para>Each <see cref="FaustApp"/> has its own registry (<see cref="FaustDeclarations.Codecs"/>); register codecs before
/// declaring the topics and tables that name them. Thread safe.</para>
/// </remarks>
public sealed class CodecRegistry
{
    private readonly ConcurrentDictionary<string, ICodecProvider> _providers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, object> _defaults = new();
    private FaustJsonOptions _json;
    private bool _used;

    /// <summary>Creates a registry with the built-in codecs.</summary>
    /// <param name="json">The settings of the <c>json</c> codec and of the default codec for records; null for <see cref="FaustJsonOptions.Default"/>.</param>
    public CodecRegistry(FaustJsonOptions? json = null)
    {
        _json = json ?? FaustJsonOptions.Default;
        _providers["raw"] = new RawProvider();
        _providers["string"] = new StringProvider();
        _providers["json"] = new JsonProvider();
        _providers["binary"] = new BinaryProvider();
    }

    /// <summary>The settings of the <c>json</c> codec and of the default codec of records (for example snake_case
    /// fields to share topics with Python apps); default <see cref="FaustJsonOptions.Default"/>.</summary>
    /// <exception cref="InvalidOperationException">Set after a codec was resolved through the registry (declare topics and tables after setting it).</exception>
    public FaustJsonOptions Json
    {
        get => _json;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (Volatile.Read(ref _used))
            {
                throw new InvalidOperationException("Set the JSON settings before declaring topics and tables: codecs were already created with the current ones.");
            }

            _json = value;
        }
    }

    /// <summary>The registered names, built-in ones included.</summary>
    public IReadOnlyCollection<string> Names => [.. _providers.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Registers (or replaces) a codec that serves several types.</summary>
    /// <param name="name">The name: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>.</param>
    /// <param name="provider">Creates the codec per type.</param>
    public void Register(string name, ICodecProvider provider)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(provider);
        _providers[name] = provider;
    }

    /// <summary>Registers (or replaces) a codec of one type. A codec of <see cref="T:byte[]"/> can also follow another in a chain.</summary>
    /// <typeparam name="T">The type the codec encodes.</typeparam>
    /// <param name="name">The name: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>.</param>
    /// <param name="codec">The codec.</param>
    public void Register<T>(string name, ICodec<T> codec)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(codec);
        _providers[name] = new SingleTypeProvider<T>(codec);
    }

    /// <summary>Resolves a codec name or chain (<c>json|binary</c>) for <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The key or value type.</typeparam>
    /// <param name="spec">A name, or names joined by <c>|</c>.</param>
    /// <returns>The codec.</returns>
    /// <exception cref="ArgumentException">A name is not registered, or its codec cannot encode the type asked of it.</exception>
    public ICodec<T> Get<T>(string spec)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        Volatile.Write(ref _used, true);
        var names = spec.Split('|', StringSplitOptions.TrimEntries);
        var first = Create<T>(names[0], spec);
        if (names.Length == 1)
        {
            return first;
        }

        var then = new ICodec<byte[]>[names.Length - 1];
        for (var i = 1; i < names.Length; i++)
        {
            then[i - 1] = Create<byte[]>(names[i], spec);
        }

        return Codecs.Chain(first, then);
    }

    /// <summary>The codec of <typeparamref name="T"/> when a topic or table names none: raw UTF-8 for <see cref="string"/>,
    /// raw <see cref="T:byte[]"/>, Faust's JSON with <see cref="Json"/> otherwise (see <see cref="Codecs.Default{T}"/>).</summary>
    /// <typeparam name="T">The key or value type.</typeparam>
    /// <returns>The codec, created once per type.</returns>
    public ICodec<T> Default<T>()
    {
        if (typeof(T) == typeof(string) || typeof(T) == typeof(byte[])
            || typeof(T) == typeof(int) || typeof(T) == typeof(long) || typeof(T) == typeof(double) || typeof(T) == typeof(bool))
        {
            return Codecs.Default<T>();
        }

        if (ReferenceEquals(Json, FaustJsonOptions.Default))
        {
            Volatile.Write(ref _used, true);
            return Codecs.Default<T>();
        }

        Volatile.Write(ref _used, true);
        return (ICodec<T>)_defaults.GetOrAdd(typeof(T), static (_, json) => Codecs.Record<T>(json), Json);
    }

    private ICodec<T> Create<T>(string name, string spec)
    {
        if (!_providers.TryGetValue(name, out var provider))
        {
            throw new ArgumentException(
                $"No codec named '{name}' (in '{spec}') is registered; registered: {string.Join(", ", Names)}. Register it with CodecRegistry.Register.", nameof(spec));
        }

        return provider.Create<T>(this)
            ?? throw new ArgumentException(
                $"Codec '{name}' (in '{spec}') cannot encode {CodecException.DisplayName(typeof(T))}."
                + (typeof(T) == typeof(byte[]) ? " After the first codec of a chain, every codec transforms bytes." : string.Empty),
                nameof(spec));
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))
            {
                throw new ArgumentException($"'{name}' is not a valid codec name: use letters, digits, '_', '-' and '.'.", nameof(name));
            }
        }
    }

    private sealed class RawProvider : ICodecProvider
    {
        public ICodec<T>? Create<T>(CodecRegistry registry) =>
            typeof(T) == typeof(byte[]) ? (ICodec<T>)(object)Codecs.Bytes
            : typeof(T) == typeof(string) ? (ICodec<T>)(object)Codecs.Utf8String
            : null;
    }

    private sealed class StringProvider : ICodecProvider
    {
        public ICodec<T>? Create<T>(CodecRegistry registry) => typeof(T) == typeof(string) ? (ICodec<T>)(object)Codecs.Utf8String : null;
    }

    private sealed class JsonProvider : ICodecProvider
    {
        public ICodec<T>? Create<T>(CodecRegistry registry) => Codecs.Record<T>(registry.Json);
    }

    private sealed class BinaryProvider : ICodecProvider
    {
        public ICodec<T>? Create<T>(CodecRegistry registry) =>
            typeof(T) == typeof(byte[]) ? (ICodec<T>)(object)Codecs.Binary
            : typeof(T) == typeof(string) ? (ICodec<T>)(object)Codecs.Chain(Codecs.Utf8String, Codecs.Binary)
            : null;
    }

    private sealed class SingleTypeProvider<TCodec>(ICodec<TCodec> codec) : ICodecProvider
    {
        public ICodec<T>? Create<T>(CodecRegistry registry) => codec as ICodec<T>;
    }
}
