namespace Faust.Records;

/// <summary>
/// Marks a class or record as a Faust record and names it on the wire: the namespace written in Faust's envelope
/// <c>"__faust": {"ns": "..."}</c> and looked up when a payload is read.
/// </summary>
/// <remarks>
/// <para>Python Faust writes a record's namespace as <c>module.ClassName</c> (for example <c>orders.Order</c> for
/// class <c>Order</c> in <c>orders.py</c>). To share a topic with a Python app, give the C# type the namespace the
/// Python class has: <c>[FaustRecord("orders.Order")]</c>.</para>
/// <para>Without the attribute a type is still a record: its namespace is its C# full name, with nested types
/// separated by dots (<c>MyApp.Orders.Order</c>), the C# counterpart of Python's <c>module.ClassName</c>.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Interface, Inherited = false)]
public sealed class FaustRecordAttribute : Attribute
{
    /// <summary>Keeps the default namespace (the type's C# full name) and sets other options.</summary>
    public FaustRecordAttribute()
    {
    }

    /// <summary>Names the record on the wire.</summary>
    /// <param name="ns">The namespace written in <c>"__faust": {"ns": ...}</c>, such as <c>orders.Order</c>.</param>
    public FaustRecordAttribute(string ns)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ns);
        Namespace = ns;
    }

    /// <summary>The namespace on the wire, or null for the type's C# full name.</summary>
    public string? Namespace { get; }

    /// <summary>Whether encoded records carry the <c>__faust</c> envelope (Faust's <c>include_metadata</c>); default true.
    /// Reading accepts records with or without it either way.</summary>
    public bool IncludeMetadata { get; init; } = true;

    /// <summary>Validates every decoded record of this type even when validation is off for the codec
    /// (Faust's <c>validation=True</c> on one model); default false.</summary>
    public bool Validation { get; init; }
}
