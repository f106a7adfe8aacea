using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Faust.Serialization;

/// <summary>The built-in codecs, and the default codec for each key and value type.</summary>
/// <remarks>
/// <para>
/// Every codec returned here is immutable and safe to share between threads, topics and tables.
/// </para>
/// <para>
/// Defaults (<see cref="Default{T}"/>): <see cref="string"/> keys and values are raw UTF-8
/// (<see cref="Utf8String"/>), in topics and in tables alike, so a table key hashes to the same
/// partition as the source key it came from; <see cref="T:byte[]"/> is passed through raw
/// (<see cref="Bytes"/>); everything else is Faust's JSON (<see cref="Record{T}(FaustJsonOptions?)"/>: records
/// carry the <c>__faust</c> envelope, decimals are strings, dates ISO-8601), with allocation-light
/// encoders for <see cref="int"/>, <see cref="long"/>, <see cref="double"/> and <see cref="bool"/> that
/// write exactly the bytes <see cref="JsonSerializer"/> writes.
/// </para>
/// <para>
/// Codecs by name (Faust's <c>key_serializer</c>/<c>value_serializer</c>, chains like <c>json|binary</c>) are
/// resolved by a <see cref="CodecRegistry"/>.
/// </para>
/// </remarks>
public static class Codecs
{
    // Strict in both directions: replacing invalid UTF-8 with U+FFFD would map distinct key bytes to one
    // string, and re-encoding it would hash to a different partition than the record was read from.
    private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Raw UTF-8 text, with no byte-order mark and no quotes (Faust's <c>raw</c> / <c>str</c> codec).</summary>
    /// <remarks>
    /// Decoding bytes that are not valid UTF-8 throws <see cref="CodecException"/>; encoding a string that
    /// holds an unpaired surrogate throws <see cref="ArgumentException"/>. Decoding then encoding gives back
    /// the original bytes exactly.
    /// </remarks>
    public static ICodec<string> Utf8String { get; } = new Utf8StringCodec();

    /// <summary>Raw bytes, passed through unchanged (Faust's <c>raw</c> codec).</summary>
    /// <remarks>
    /// <see cref="ICodec{T}.Encode"/> returns the given array itself, without copying (as Confluent.Kafka's
    /// byte-array serializer does): do not modify an array after sending it. Decoding copies the bytes
    /// into a new array.
    /// </remarks>
    public static ICodec<byte[]> Bytes { get; } = new BytesCodec();

    /// <summary>JSON through System.Text.Json (Faust's <c>json</c> codec).</summary>
    /// <typeparam name="T">The type to serialize; records and classes with public properties work as they do with <see cref="JsonSerializer"/>.</typeparam>
    /// <param name="options">
    /// The serializer options, or <see langword="null"/> for <see cref="JsonSerializerOptions.Web"/>
    /// (<see cref="JsonSerializerDefaults.Web"/>): camelCase property names, case-insensitive property
    /// matching when reading, and numbers accepted from JSON strings. Python Faust records usually declare
    /// snake_case fields; to share topics with them, pass options with
    /// <see cref="JsonNamingPolicy.SnakeCaseLower"/>. To use a source-generated context, set its
    /// <see cref="JsonSerializerOptions.TypeInfoResolver"/>. The options become read-only, as they do on first
    /// use by <see cref="JsonSerializer"/>.
    /// </param>
    /// <returns>A codec that writes UTF-8 JSON.</returns>
    /// <remarks>
    /// A <see langword="null"/> value encodes to a Kafka null, not to the JSON literal <c>null</c>.
    /// Decoding the JSON literal <c>null</c> throws <see cref="CodecException"/> unless
    /// <typeparamref name="T"/> is a <see cref="Nullable{T}"/>: a value that is absent is a Kafka null,
    /// which callers handle before decoding. Encoding a value System.Text.Json cannot write (for example
    /// <see cref="double.NaN"/>) throws the serializer's exception unchanged; that is a programming
    /// error, not bad input.
    /// </remarks>
    /// <exception cref="InvalidOperationException">
    /// The options have no <see cref="JsonSerializerOptions.TypeInfoResolver"/> and reflection-based
    /// serialization is disabled (trimmed or native AOT applications).
    /// </exception>
    /// <exception cref="NotSupportedException">The options' resolver has no metadata for <typeparamref name="T"/>.</exception>
    public static ICodec<T> Json<T>(JsonSerializerOptions? options = null)
    {
        if (options is null)
        {
            return WebJson<T>.Instance;
        }

        // Resolve the contract once, here, rather than on every record; as on first use by the serializer,
        // options without a resolver get the reflection-based one.
        if (!options.IsReadOnly)
        {
            options.MakeReadOnly(populateMissingResolver: true);
        }

        return new JsonCodec<T>((JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
    }

    /// <summary>JSON through System.Text.Json with exactly the given contract, such as one from a source-generated
    /// <see cref="JsonSerializerContext"/> (<c>MyContext.Default.Order</c>); no Faust conventions are added.</summary>
    /// <typeparam name="T">The type to serialize.</typeparam>
    /// <param name="typeInfo">The contract.</param>
    /// <returns>A codec that writes UTF-8 JSON; null handling as for <see cref="Json{T}(JsonSerializerOptions?)"/>.</returns>
    public static ICodec<T> Json<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new JsonCodec<T>(typeInfo);
    }

    /// <summary>Faust's <c>json</c> codec for records: the <c>__faust</c> envelope, polymorphic records, decimals as
    /// strings, ISO-8601 dates, enums as strings and optional validation (see <see cref="FaustJsonOptions"/>).</summary>
    /// <typeparam name="T">The record (or any other) type.</typeparam>
    /// <param name="options">The settings; null for <see cref="FaustJsonOptions.Default"/>.</param>
    /// <returns>A codec that writes what Python Faust writes for the same record.</returns>
    /// <remarks>A <see langword="null"/> value encodes to a Kafka null; decoding the JSON literal <c>null</c> throws
    /// <see cref="CodecException"/> unless <typeparamref name="T"/> is a <see cref="Nullable{T}"/>. An invalid record
    /// (when validation is on) and malformed JSON throw <see cref="CodecException"/>.</remarks>
    public static ICodec<T> Record<T>(FaustJsonOptions? options = null) =>
        options is null || ReferenceEquals(options, FaustJsonOptions.Default)
            ? DefaultRecord<T>.Instance
            : new RecordJsonCodec<T>((JsonTypeInfo<T>)options.SerializerOptions.GetTypeInfo(typeof(T)));

    /// <summary>Faust's <c>json</c> codec over a source-generated contract: the fast path, with no reflection per
    /// record. The contract's options (naming policy, converters, resolver) are kept; Faust's conventions are added.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="typeInfo">The contract, such as <c>MyContext.Default.Order</c>.</param>
    /// <param name="options">Faust's settings (envelope, validation, registry); their <see cref="FaustJsonOptions.Serializer"/> is
    /// not used. Null for the defaults.</param>
    /// <returns>The codec.</returns>
    public static ICodec<T> Record<T>(JsonTypeInfo<T> typeInfo, FaustJsonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var serializer = (options ?? FaustJsonOptions.Default).DeriveFrom(typeInfo.Options);
        return new RecordJsonCodec<T>((JsonTypeInfo<T>)serializer.GetTypeInfo(typeof(T)));
    }

    /// <summary>Faust's <c>json</c> codec over a source-generated context (see <see cref="Record{T}(JsonTypeInfo{T}, FaustJsonOptions?)"/>).</summary>
    /// <typeparam name="T">The record type; the context must hold its contract.</typeparam>
    /// <param name="context">The context, such as <c>MyContext.Default</c>.</param>
    /// <param name="options">Faust's settings; null for the defaults.</param>
    /// <returns>The codec.</returns>
    /// <exception cref="NotSupportedException">The context has no contract for <typeparamref name="T"/>.</exception>
    public static ICodec<T> Record<T>(JsonSerializerContext context, FaustJsonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var serializer = (options ?? FaustJsonOptions.Default).DeriveFrom(context.Options);
        return new RecordJsonCodec<T>((JsonTypeInfo<T>)serializer.GetTypeInfo(typeof(T)));
    }

    /// <summary>Standard base64 with padding around bytes (Faust's <c>binary</c> codec); use it after another codec
    /// with <see cref="Chain{T}"/>, as Faust's <c>json|binary</c>.</summary>
    /// <remarks>Decoding anything but valid base64 throws <see cref="CodecException"/>.</remarks>
    public static ICodec<byte[]> Binary => Base64Codec.Instance;

    /// <summary>Chains codecs as Faust's <c>codec1|codec2</c>: <paramref name="first"/> turns the value into bytes and
    /// each of <paramref name="then"/> transforms those bytes; decoding runs backwards.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="first">The codec of the value.</param>
    /// <param name="then">Byte transforms, such as <see cref="Binary"/>.</param>
    /// <returns>The chained codec: <c>Chain(Record&lt;Order&gt;(), Binary)</c> is Faust's <c>json|binary</c>.</returns>
    public static ICodec<T> Chain<T>(ICodec<T> first, params ICodec<byte[]>[] then)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(then);
        return then.Length == 0 ? first : new ChainCodec<T>(first, [.. then]);
    }

    /// <summary>The codec used for <typeparamref name="T"/> when a topic or table names no codec.</summary>
    /// <typeparam name="T">The key or value type.</typeparam>
    /// <returns>
    /// <see cref="Utf8String"/> for <see cref="string"/>, <see cref="Bytes"/> for <see cref="T:byte[]"/>,
    /// and otherwise <see cref="Record{T}(FaustJsonOptions?)"/> with its default options. <see cref="int"/>, <see cref="long"/>,
    /// <see cref="double"/> and <see cref="bool"/> get dedicated JSON codecs that write the same bytes
    /// and accept the same input as <see cref="Json{T}(JsonSerializerOptions?)"/>, without going through the serializer.
    /// </returns>
    /// <remarks>The codec is created once per type and cached.</remarks>
    public static ICodec<T> Default<T>() => DefaultCodec<T>.Instance;

    private static CodecException NotJson(Type type, JsonException e) => new(type, e.Message, e);

    private static class DefaultCodec<T>
    {
        public static readonly ICodec<T> Instance = Create();

        private static ICodec<T> Create()
        {
            object? codec = null;
            if (typeof(T) == typeof(string))
            {
                codec = Utf8String;
            }
            else if (typeof(T) == typeof(byte[]))
            {
                codec = Bytes;
            }
            else if (typeof(T) == typeof(int))
            {
                codec = new Int32JsonCodec();
            }
            else if (typeof(T) == typeof(long))
            {
                codec = new Int64JsonCodec();
            }
            else if (typeof(T) == typeof(double))
            {
                codec = new DoubleJsonCodec();
            }
            else if (typeof(T) == typeof(bool))
            {
                codec = new BooleanJsonCodec();
            }

            return codec is null ? DefaultRecord<T>.Instance : (ICodec<T>)codec;
        }
    }

    private static class DefaultRecord<T>
    {
        public static readonly ICodec<T> Instance =
            new RecordJsonCodec<T>((JsonTypeInfo<T>)FaustJsonOptions.Default.SerializerOptions.GetTypeInfo(typeof(T)));
    }

    private static class WebJson<T>
    {
        public static readonly ICodec<T> Instance =
            new JsonCodec<T>((JsonTypeInfo<T>)JsonSerializerOptions.Web.GetTypeInfo(typeof(T)));
    }

    private sealed class Utf8StringCodec : ICodec<string>
    {
        public byte[]? Encode(string value) => value is null ? null : _strictUtf8.GetBytes(value);

        public string Decode(ReadOnlySpan<byte> data)
        {
            try
            {
                return _strictUtf8.GetString(data);
            }
            catch (DecoderFallbackException e)
            {
                throw new CodecException(typeof(string), "the bytes are not valid UTF-8.", e);
            }
        }
    }

    private sealed class BytesCodec : ICodec<byte[]>
    {
        public byte[]? Encode(byte[] value) => value;

        public byte[] Decode(ReadOnlySpan<byte> data) => data.ToArray();
    }

    private sealed class JsonCodec<T>(JsonTypeInfo<T> typeInfo) : ICodec<T>
    {
        public byte[]? Encode(T value) => value is null ? null : JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

        public T Decode(ReadOnlySpan<byte> data)
        {
            T? value;
            try
            {
                value = JsonSerializer.Deserialize(data, typeInfo);
            }
            catch (JsonException e)
            {
                throw NotJson(typeof(T), e);
            }

            if (value is null && !typeof(T).IsValueType)
            {
                throw new CodecException(
                    typeof(T),
                    "the JSON is the literal null; an absent value is a Kafka null (tombstone), not JSON null.");
            }

            return value!;
        }
    }

    // The primitive codecs below take a fast path for the common case (one bare JSON number or literal,
    // nothing else) and hand everything else to the serializer, so quoted numbers, whitespace and error
    // messages behave exactly as Json<T>() does.

    // The bare JSON integers the codecs themselves write (-?(0|[1-9][0-9]*), at most maxDigits digits so it cannot
    // overflow), parsed without a Utf8JsonReader; anything else (whitespace, exponents, quotes, longer numbers,
    // malformed input) goes the reader's way, so results and errors are unchanged.
    private static bool TryParsePlainInteger(ReadOnlySpan<byte> data, int maxDigits, out long value)
    {
        value = 0;
        var negative = data.Length > 0 && data[0] == (byte)'-';
        var digits = negative ? data[1..] : data;
        if (digits.Length == 0 || digits.Length > maxDigits || (digits[0] == (byte)'0' && digits.Length > 1))
        {
            return false;
        }

        long result = 0;
        foreach (var b in digits)
        {
            var digit = (uint)(b - (byte)'0');
            if (digit > 9)
            {
                return false;
            }

            result = (result * 10) + digit;
        }

        value = negative ? -result : result;
        return true;
    }

    private sealed class Int32JsonCodec : ICodec<int>
    {
        public byte[]? Encode(int value)
        {
            Span<byte> buffer = stackalloc byte[11];
            Utf8Formatter.TryFormat(value, buffer, out var written);
            return buffer[..written].ToArray();
        }

        public int Decode(ReadOnlySpan<byte> data)
        {
            if (TryParsePlainInteger(data, 9, out var plain))
            {
                return (int)plain;
            }

            try
            {
                var reader = new Utf8JsonReader(data);
                if (reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) && !reader.Read())
                {
                    return value;
                }
            }
            catch (JsonException)
            {
                // Malformed: the serializer reports it with its own message below.
            }

            return WebJson<int>.Instance.Decode(data);
        }
    }

    private sealed class Int64JsonCodec : ICodec<long>
    {
        public byte[]? Encode(long value)
        {
            Span<byte> buffer = stackalloc byte[20];
            Utf8Formatter.TryFormat(value, buffer, out var written);
            return buffer[..written].ToArray();
        }

        public long Decode(ReadOnlySpan<byte> data)
        {
            if (TryParsePlainInteger(data, 18, out var plain))
            {
                return (long)plain;
            }

            try
            {
                var reader = new Utf8JsonReader(data);
                if (reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && !reader.Read())
                {
                    return value;
                }
            }
            catch (JsonException)
            {
                // Malformed: the serializer reports it with its own message below.
            }

            return WebJson<long>.Instance.Decode(data);
        }
    }

    private sealed class DoubleJsonCodec : ICodec<double>
    {
        public byte[]? Encode(double value)
        {
            if (!double.IsFinite(value))
            {
                // JSON has no NaN or Infinity; the serializer refuses them in the same way.
                return WebJson<double>.Instance.Encode(value);
            }

            // The shortest string that round-trips, as Utf8JsonWriter writes it (e.g. 0.1, 1E+20, -0).
            Span<byte> buffer = stackalloc byte[32];
            value.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture);
            return buffer[..written].ToArray();
        }

        public double Decode(ReadOnlySpan<byte> data)
        {
            try
            {
                var reader = new Utf8JsonReader(data);
                if (reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) && !reader.Read())
                {
                    return value;
                }
            }
            catch (JsonException)
            {
                // Malformed: the serializer reports it with its own message below.
            }

            return WebJson<double>.Instance.Decode(data);
        }
    }

    private sealed class BooleanJsonCodec : ICodec<bool>
    {
        public byte[]? Encode(bool value) => value ? "true"u8.ToArray() : "false"u8.ToArray();

        public bool Decode(ReadOnlySpan<byte> data)
        {
            try
            {
                var reader = new Utf8JsonReader(data);
                if (reader.Read() && reader.TokenType is JsonTokenType.True or JsonTokenType.False)
                {
                    var value = reader.TokenType == JsonTokenType.True;
                    if (!reader.Read())
                    {
                        return value;
                    }
                }
            }
            catch (JsonException)
            {
                // Malformed: the serializer reports it with its own message below.
            }

            return WebJson<bool>.Instance.Decode(data);
        }
    }
}
