namespace Faust.Serialization;

/// <summary>A key or value given by a client (for example in an HTTP body) does not fit the declared type.</summary>
internal sealed class InvalidInputException(string field, string message, Exception? inner = null, IReadOnlyDictionary<string, string[]>? errors = null)
    : Exception(message, inner)
{
    /// <summary>The field that is wrong: <c>key</c> or <c>value</c>.</summary>
    public string Field { get; } = field;

    /// <summary>Messages per member path inside the field (<c>value.price</c>, <c>value.items[0].sku</c>), when known.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;
}
