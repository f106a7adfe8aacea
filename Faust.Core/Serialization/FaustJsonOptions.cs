using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Faust.Records;

namespace Faust.Serialization;

/// <summary>
/// How Faust's <c>json</c> codec writes and reads records: System.Text.Json settings plus Faust's conventions, so
/// the bytes match what Python Faust writes and reads.
/// </summary>
/// <remarks>
/// <para>Faust's conventions, on top of <see cref="Serializer"/>:</para>
/// <list type="bullet">
/// <item>Records (classes and records that System.Text.Json writes as objects, outside the <c>System</c> and
/// <c>Microsoft</c> namespaces) end with Faust's envelope <c>"__faust": {"ns": "..."}</c> (see
/// <see cref="IncludeMetadata"/> and <see cref="FaustRecordAttribute"/>). Reading accepts records with or without it.</item>
/// <item>A field or value declared with a type that is abstract, an interface or has subclasses decodes to the
/// subclass the envelope names, when <see cref="Records"/> knows it and it is assignable (Faust's polymorphic fields);
/// encoding writes the runtime type's fields and namespace.</item>
/// <item><see cref="decimal"/> is a JSON string (<c>"12.50"</c>, scale kept, as Python's <c>Decimal</c>); numbers are
/// read too.</item>
/// <item><see cref="DateTimeOffset"/> and <see cref="DateTime"/> are ISO-8601 strings as Python's
/// <c>isoformat()</c> writes them: <c>2024-05-06T07:08:09.123456+02:00</c>, <c>Z</c> for UTC, the fraction to the
/// microsecond (six digits, or none when zero). A date without an offset reads as UTC.</item>
/// <item>Enums are strings: the member name, or its <see cref="JsonStringEnumMemberNameAttribute"/>; numbers are read too.</item>
/// <item><see cref="Guid"/> is the lowercase <c>8-4-4-4-12</c> string Python's <c>str(uuid)</c> writes.</item>
/// </list>
/// <para>Instances are immutable; the serializer options are built once, on first use.</para>
/// </remarks>
public sealed class FaustJsonOptions
{
    private readonly ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> _derived = [];
    private JsonSerializerOptions? _serializerOptions;

    /// <summary>Faust's defaults: web naming (camelCase), envelope on, validation off, <see cref="RecordRegistry.Default"/>.</summary>
    public static FaustJsonOptions Default { get; } = new();

    /// <summary>
    /// The System.Text.Json settings to start from: naming policy, converters, and the
    /// <see cref="JsonSerializerOptions.TypeInfoResolver"/> (a source-generated <see cref="JsonSerializerContext"/>
    /// for the fast path). Null: <see cref="JsonSerializerOptions.Web"/> with reflection. Python records usually have
    /// snake_case fields: use <see cref="JsonNamingPolicy.SnakeCaseLower"/> to share topics with them.
    /// </summary>
    public JsonSerializerOptions? Serializer { get; init; }

    /// <summary>Whether records are written with the <c>__faust</c> envelope (Faust's <c>include_metadata</c>); default true.</summary>
    public bool IncludeMetadata { get; init; } = true;

    /// <summary>Whether every decoded record is validated (DataAnnotations attributes and
    /// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/>); default false, as in Faust. An invalid
    /// record is a decode error (<see cref="RecordValidationException"/> inside a <see cref="CodecException"/>).</summary>
    public bool Validation { get; init; }

    /// <summary>Namespace to type registry for polymorphic fields; default <see cref="RecordRegistry.Default"/>.</summary>
    public RecordRegistry Records { get; init; } = RecordRegistry.Default;

    /// <summary>The System.Text.Json options that implement these settings: use them with <see cref="JsonSerializer"/>
    /// to read or write exactly what the codec does. Read-only.</summary>
    public JsonSerializerOptions SerializerOptions =>
        _serializerOptions ?? Interlocked.CompareExchange(ref _serializerOptions, Build(Serializer ?? JsonSerializerOptions.Web), null) ?? _serializerOptions;

    /// <summary>These settings on top of other serializer settings (those of a source-generated context); cached per instance.</summary>
    internal JsonSerializerOptions DeriveFrom(JsonSerializerOptions serializer) =>
        ReferenceEquals(serializer, Serializer ?? JsonSerializerOptions.Web) ? SerializerOptions : _derived.GetValue(serializer, Build);

    private JsonSerializerOptions Build(JsonSerializerOptions serializer)
    {
        var options = new JsonSerializerOptions(serializer);
        var inner = serializer.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver();
        options.TypeInfoResolver = new FaustTypeInfoResolver(inner, this);

        // After the user's converters, so theirs win for the same type.
        options.Converters.Add(FaustDecimalConverter.Instance);
        options.Converters.Add(IsoDateTimeOffsetConverter.Instance);
        options.Converters.Add(IsoDateTimeConverter.Instance);
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly();
        return options;
    }
}
