using System.Text.Json.Serialization;
using Faust.Records;

namespace Faust.Core.Tests.Serialization.Interop;

// The C# side of Fixtures/README.md's shop.py: same field order, namespaces set to Python's module.ClassName.

public enum Side
{
    [JsonStringEnumMemberName("buy")]
    Buy,

    [JsonStringEnumMemberName("sell")]
    Sell,
}

[FaustRecord("shop.Item")]
public sealed record Item(string Sku, int Quantity, decimal UnitPrice);

[FaustRecord("shop.Order")]
public sealed record Order(
    Guid Id,
    string AccountId,
    Side Side,
    IReadOnlyList<Item> Items,
    decimal Total,
    DateTimeOffset PlacedAt,
    IReadOnlyDictionary<string, string> Tags,
    string? Note = null);
