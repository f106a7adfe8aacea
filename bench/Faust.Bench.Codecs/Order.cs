using System.Text.Json;
using System.Text.Json.Serialization;
using Faust.Records;

namespace Faust.Bench.Codecs;

public enum Side
{
    Buy,
    Sell,
}

/// <summary>The benchmark's record: the kinds of fields an order topic carries.</summary>
[FaustRecord("orders.Order")]
public sealed record Order(
    Guid Id,
    string AccountId,
    string Symbol,
    Side Side,
    int Quantity,
    decimal Price,
    DateTimeOffset PlacedAt,
    string? Note,
    IReadOnlyDictionary<string, string> Tags);

[JsonSerializable(typeof(Order))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
public sealed partial class OrderJsonContext : JsonSerializerContext;
