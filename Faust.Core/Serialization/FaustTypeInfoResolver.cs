using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Faust.Records;

namespace Faust.Serialization;

// Faust's record contract on top of any resolver (reflection or a source-generated context):
// - records get a last, write-only member "__faust" holding {"ns": ...}; reading skips it;
// - a declared type that payloads may name a subclass of (abstract, interface, or with subclasses) gets a
//   converter that reads the envelope's namespace first and then decodes with the named type's own contract;
// - with validation on, records are validated as they are decoded (JsonTypeInfo.OnDeserialized).
// Contracts of concrete types are built by the inner resolver, so a source-generated context keeps its fast
// metadata; nested members still resolve through the options, hence through this resolver.
internal sealed class FaustTypeInfoResolver(IJsonTypeInfoResolver inner, FaustJsonOptions settings) : IJsonTypeInfoResolver
{
    private readonly ConditionalWeakTable<JsonSerializerOptions, ConcurrentDictionary<Type, JsonTypeInfo>> _concrete = [];

    public RecordRegistry Records => settings.Records;

    public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options)
    {
        if (type == typeof(FaustMetadata))
        {
            return FaustMetadata.CreateTypeInfo(options);
        }

        if (IsPolymorphic(type))
        {
            return (JsonTypeInfo)typeof(PolymorphicRecordConverter<>).MakeGenericType(type)
                .GetMethod(nameof(PolymorphicRecordConverter<object>.CreateTypeInfo), BindingFlags.Public | BindingFlags.Static)!
                .Invoke(null, [this, options])!;
        }

        return Concrete(type, options);
    }

    // The type's own contract (never the polymorphic one), cached per options: what a payload naming this exact
    // type decodes with.
    public JsonTypeInfo ConcreteTypeInfo(Type type, JsonSerializerOptions options) =>
        _concrete.GetValue(options, static _ => new ConcurrentDictionary<Type, JsonTypeInfo>())
            .GetOrAdd(type, static (t, state) => state.Self.Concrete(t, state.Options)
                ?? throw new NotSupportedException($"The serializer has no contract for {CodecException.DisplayName(t)}: add it to your JsonSerializerContext."),
                (Self: this, Options: options));

    private JsonTypeInfo? Concrete(Type type, JsonSerializerOptions options)
    {
        var info = inner.GetTypeInfo(type, options);
        if (info is { Kind: JsonTypeInfoKind.Object } && IsUserType(type))
        {
            Customize(info);
        }

        return info;
    }

    private void Customize(JsonTypeInfo info)
    {
        var type = info.Type;
        settings.Records.TryAdd(type);
        var attribute = type.GetCustomAttribute<FaustRecordAttribute>(inherit: false);
        OrderBaseMembersFirst(info);
        if (settings.IncludeMetadata && (attribute?.IncludeMetadata ?? true) && !type.IsAbstract && !HasMember(info, FaustMetadata.PropertyName))
        {
            var metadata = new FaustMetadata(RecordRegistry.NamespaceOf(type));
            var property = info.CreateJsonPropertyInfo(typeof(FaustMetadata), FaustMetadata.PropertyName);
            property.Get = _ => metadata;
            property.Order = int.MaxValue;
            info.Properties.Add(property);
        }

        if (settings.Validation || attribute?.Validation == true)
        {
            var previous = info.OnDeserialized;
            info.OnDeserialized = record =>
            {
                previous?.Invoke(record);
                RecordValidator.ThrowIfInvalid(record, member => JsonName(info, member));
            };
        }
    }

    // Python Faust writes a subclass's inherited fields before its own; System.Text.Json writes the subclass's first.
    // Members with an explicit [JsonPropertyOrder] keep the user's order.
    private static void OrderBaseMembersFirst(JsonTypeInfo info)
    {
        if (info.Type.BaseType is null || info.Type.BaseType == typeof(object))
        {
            return;
        }

        foreach (var property in info.Properties)
        {
            if (property.Order != 0)
            {
                return;
            }
        }

        foreach (var property in info.Properties)
        {
            if (property.AttributeProvider is MemberInfo { DeclaringType: { } declaring })
            {
                var depth = 0;
                for (var t = declaring.BaseType; t is not null; t = t.BaseType)
                {
                    depth++;
                }

                property.Order = depth;
            }
        }
    }

    private bool IsPolymorphic(Type type) =>
        (type.IsClass || type.IsInterface) && !type.IsSealed && IsUserType(type)
        && !typeof(IEnumerable).IsAssignableFrom(type)
        && !type.IsDefined(typeof(JsonConverterAttribute), inherit: false)
        && !type.IsDefined(typeof(JsonPolymorphicAttribute), inherit: false)
        && !type.IsDefined(typeof(JsonDerivedTypeAttribute), inherit: false)
        && settings.Records.IsPolymorphic(type);

    // Framework types (object, collections, KeyValuePair, tuples) and anonymous types are not records.
    private static bool IsUserType(Type type)
    {
        var ns = type.Namespace;
        return type != typeof(object)
            && !(ns is not null && (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns == "Microsoft" || ns.StartsWith("Microsoft.", StringComparison.Ordinal)))
            && !type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);
    }

    private static bool HasMember(JsonTypeInfo info, string name)
    {
        foreach (var property in info.Properties)
        {
            if (property.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    private static string JsonName(JsonTypeInfo info, string member)
    {
        foreach (var property in info.Properties)
        {
            if (property.AttributeProvider is MemberInfo m && m.Name == member)
            {
                return property.Name;
            }
        }

        return info.Options.PropertyNamingPolicy?.ConvertName(member) ?? member;
    }
}
