using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Faust.Records;

namespace Faust.Core.Tests.Serialization;

// Records shared by the codec tests. Namespaces in [FaustRecord] are unique across the test assembly: the default
// record registry is process-wide.

public sealed record Point(int X, int Y);

[FaustRecord("tests.Trade")]
public sealed record Trade(Guid Id, string Symbol, TradeSide Side, decimal Price, decimal? Fee, DateTimeOffset At, DateTimeOffset? SettledAt);

public enum TradeSide
{
    [JsonStringEnumMemberName("buy")]
    Buy,

    [JsonStringEnumMemberName("sell")]
    Sell,
}

public enum Color
{
    Red,
    DarkBlue,
}

[FaustRecord("tests.Line")]
public sealed record Line(string Sku, int Quantity, decimal UnitPrice);

[FaustRecord("tests.Basket")]
public sealed record Basket(string Owner, Line First, IReadOnlyList<Line> Lines, Dictionary<string, Line> BySku, Color Color, Line? Extra = null);

[FaustRecord("tests.NoEnvelope", IncludeMetadata = false)]
public sealed record NoEnvelope(string Name);

// Polymorphism: an abstract base, concrete subclasses, and a record holding base-typed fields.
public abstract record Shape(string Label);

[FaustRecord("tests.Circle")]
public sealed record Circle(string Label, double Radius) : Shape(Label);

[FaustRecord("tests.Square")]
public sealed record Square(string Label, double Side) : Shape(Label);

[FaustRecord("tests.Drawing")]
public sealed record Drawing(string Title, Shape Main, IReadOnlyList<Shape> Shapes);

// A concrete base with a subclass: payloads without a namespace decode as the base.
[FaustRecord("tests.Animal")]
public record Animal(string Name);

[FaustRecord("tests.Dog")]
public sealed record Dog(string Name, bool GoodBoy) : Animal(Name);

[FaustRecord("tests.Unrelated")]
public sealed record Unrelated(string Name);

// Validation: DataAnnotations on properties (positional records need the property: target) and a Validate hook.
[FaustRecord("tests.Payment")]
public sealed record Payment(
    [property: Required, StringLength(10, MinimumLength = 3)] string Account,
    [property: Range(typeof(decimal), "0.01", "1000000")] decimal Amount) : IValidatableObject
{
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Account == "blocked")
        {
            yield return new ValidationResult("This account may not pay.", [nameof(Account)]);
        }
    }
}

[FaustRecord("tests.Strict", Validation = true)]
public sealed record StrictRecord([property: Range(1, 10)] int Level);

[FaustRecord("tests.Wrapper")]
public sealed record PaymentBatch(string Id, IReadOnlyList<Payment> Payments);

// The source-generated fast path.
[JsonSerializable(typeof(Trade))]
[JsonSerializable(typeof(Basket))]
[JsonSerializable(typeof(Drawing))]
[JsonSerializable(typeof(Circle))]
[JsonSerializable(typeof(Square))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
public sealed partial class RecordJsonContext : JsonSerializerContext;
