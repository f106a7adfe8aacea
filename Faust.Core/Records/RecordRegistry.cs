using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Faust.Records;

/// <summary>
/// Maps Faust namespaces (<c>"__faust": {"ns": "..."}</c>) to C# record types, so a field or topic declared with a
/// base type decodes to the subclass a payload names (Faust's model registry).
/// </summary>
/// <remarks>
/// <para>A namespace is what <see cref="NamespaceOf"/> gives: the <see cref="FaustRecordAttribute"/>'s namespace, or
/// the type's C# full name. Types are added when registered, when the JSON codec first builds the contract of a
/// record type, and, for a base type that is abstract, an interface or not sealed, every concrete subtype in the
/// base type's assembly is added when the codec first meets the base type. Register subtypes that live in other
/// assemblies before the first record is decoded.</para>
/// <para>Only registered types are ever instantiated from a namespace, and only when they are assignable to the
/// declared type: a payload cannot make the codec create an arbitrary type.</para>
/// <para>Thread safe.</para>
/// </remarks>
public sealed class RecordRegistry
{
    private readonly ConcurrentDictionary<string, Type> _byNamespace = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, bool> _hasSubtypes = new();

    /// <summary>The registry the default codecs use.</summary>
    public static RecordRegistry Default { get; } = new();

    /// <summary>The namespace of a record type on the wire.</summary>
    /// <param name="type">The record type.</param>
    /// <returns>The <see cref="FaustRecordAttribute.Namespace"/> when set, else the C# full name with nested types
    /// joined by dots (<c>MyApp.Orders.Order</c>).</returns>
    public static string NamespaceOf(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.GetCustomAttribute<FaustRecordAttribute>(inherit: false)?.Namespace is { } ns)
        {
            return ns;
        }

        var name = type.Name;
        for (var outer = type.DeclaringType; outer is not null; outer = outer.DeclaringType)
        {
            name = outer.Name + "." + name;
        }

        return string.IsNullOrEmpty(type.Namespace) ? name : type.Namespace + "." + name;
    }

    /// <summary>Registers a record type under its namespace.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <exception cref="InvalidOperationException">Another type is registered under the same namespace.</exception>
    public void Register<T>() => Register(typeof(T));

    /// <summary>Registers a record type under its namespace.</summary>
    /// <param name="type">The record type: a concrete class or record.</param>
    /// <exception cref="ArgumentException">The type is abstract, an interface or a value type.</exception>
    /// <exception cref="InvalidOperationException">Another type is registered under the same namespace.</exception>
    public void Register(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!IsConcreteRecord(type))
        {
            throw new ArgumentException($"{type.Name} cannot be a Faust record: use a concrete, non-generic class or record.", nameof(type));
        }

        var ns = NamespaceOf(type);
        var existing = _byNamespace.GetOrAdd(ns, type);
        if (existing != type)
        {
            throw new InvalidOperationException(
                $"Faust namespace '{ns}' is already registered for {existing.FullName}; {type.FullName} needs another one: [FaustRecord(\"...\")].");
        }
    }

    /// <summary>Registers every concrete type of an assembly that carries <see cref="FaustRecordAttribute"/>.</summary>
    /// <param name="assembly">The assembly to scan.</param>
    /// <exception cref="InvalidOperationException">Two types claim the same namespace.</exception>
    public void RegisterAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        foreach (var type in LoadableTypes(assembly))
        {
            if (IsConcreteRecord(type) && type.IsDefined(typeof(FaustRecordAttribute), inherit: false))
            {
                Register(type);
            }
        }
    }

    /// <summary>Finds the type registered under a namespace.</summary>
    /// <param name="ns">The namespace from a payload's envelope.</param>
    /// <param name="type">The registered type.</param>
    /// <returns>Whether a type is registered under <paramref name="ns"/>.</returns>
    public bool TryGetType(string ns, [NotNullWhen(true)] out Type? type) => _byNamespace.TryGetValue(ns, out type);

    /// <summary>Adds a type the codec has met, unless its namespace is taken (the first type keeps it).</summary>
    internal void TryAdd(Type type)
    {
        if (IsConcreteRecord(type))
        {
            _byNamespace.TryAdd(NamespaceOf(type), type);
        }
    }

    /// <summary>Whether a declared type may hold subtypes that payloads name; registers the subtypes found in its assembly.</summary>
    internal bool IsPolymorphic(Type declared) => _hasSubtypes.GetOrAdd(declared, static (type, self) => self.FindSubtypes(type), this);

    private bool FindSubtypes(Type declared)
    {
        if (declared.IsSealed || declared.IsValueType || declared.IsGenericTypeDefinition)
        {
            return false;
        }

        var found = declared.IsAbstract || declared.IsInterface;
        foreach (var type in LoadableTypes(declared.Assembly))
        {
            if (type != declared && IsConcreteRecord(type) && declared.IsAssignableFrom(type))
            {
                TryAdd(type);
                found = true;
            }
        }

        foreach (var type in _byNamespace.Values)
        {
            found |= type != declared && declared.IsAssignableFrom(type);
        }

        return found;
    }

    private static bool IsConcreteRecord(Type type) =>
        type.IsClass && !type.IsAbstract && !type.ContainsGenericParameters && !type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    private static Type[] LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return [.. e.Types.OfType<Type>()];
        }
    }
}
