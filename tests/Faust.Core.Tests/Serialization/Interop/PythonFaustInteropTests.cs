using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Faust.Serialization;

namespace Faust.Core.Tests.Serialization.Interop;

// Records written by Python Faust (Fixtures/, see its README) decode to the right C# records, and what Faust.NET writes
// for them is the same JSON: equal as JSON values, and equal byte for byte once Python's ", " / ": " separators are
// taken out.
public sealed class PythonFaustInteropTests
{
    // Python records have snake_case fields.
    private static readonly CodecRegistry Registry = new(new FaustJsonOptions
    {
        Serializer = new JsonSerializerOptions(JsonSerializerOptions.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower },
    });

    private static readonly Order ExpectedOrder = new(
        Guid.Parse("5f1d7c3e-8f0a-4b7e-9a4e-2c1d0b9e8f7a"),
        "acc-1",
        Side.Buy,
        [new Item("AAPL", 2, 150.25m), new Item("MSFT", 1, 99.50m)],
        400.00m,
        new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1_234_560),
        new Dictionary<string, string> { ["channel"] = "web" });

    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Serialization", "Interop", "Fixtures", name));

    [Fact]
    public void Order_WithRawKey_DecodesToTheRecord()
    {
        var key = Registry.Default<string>().Decode(Fixture("order.key.bin"));
        var order = Registry.Default<Order>().Decode(Fixture("order.value.json"));

        Assert.Equal("acc-1", key);
        AssertOrder(ExpectedOrder, order);
        Assert.Equal("400.00", order.Total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("99.50", order.Items[1].UnitPrice.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Order_WhatWeWrite_IsWhatPythonWrote()
    {
        var ours = Registry.Default<Order>().Encode(ExpectedOrder)!;
        var theirs = Fixture("order.value.json");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(theirs), JsonNode.Parse(ours)), $"Python: {Encoding.UTF8.GetString(theirs)}\nours:   {Encoding.UTF8.GetString(ours)}");
        Assert.Equal(Compact(theirs), Encoding.UTF8.GetString(ours));
        Assert.Equal(Fixture("order.key.bin"), Registry.Default<string>().Encode("acc-1"));
    }

    [Fact]
    public void Order_ThroughJsonThenBinary_MatchesPythonsBase64()
    {
        var codec = Registry.Get<Order>("json|binary");

        AssertOrder(ExpectedOrder, codec.Decode(Fixture("order.value.json-binary.txt")));
        var ours = codec.Encode(ExpectedOrder)!;
        Assert.Equal(Compact(Fixture("order.value.json")), Encoding.UTF8.GetString(Convert.FromBase64String(Encoding.ASCII.GetString(ours))));
    }

    [Fact]
    public void Order_WithANaiveDate_ReadsItAsUtc()
    {
        var order = Registry.Default<Order>().Decode(Fixture("order-naive-date.value.json"));

        Assert.Equal(new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1_234_560), order.PlacedAt);
        Assert.Equal(Side.Sell, order.Side);
        Assert.Equal("gift", order.Note);
        Assert.Empty(order.Items);
        Assert.Empty(order.Tags);
    }

    [Theory]
    [InlineData("deposit.value.json")]
    [InlineData("withdrawal.value.json")]
    public void Events_OnATopicOfTheBaseType_DecodeToTheKindTheyName_AndWriteBackTheSame(string file)
    {
        var codec = Registry.Default<BankEvent>();

        var decoded = codec.Decode(Fixture(file));

        BankEvent expected = file.StartsWith("deposit", StringComparison.Ordinal)
            ? new Deposit("acc-9", 10.00m)
            : new Withdrawal("acc-9", 2.50m, "atm-17");
        Assert.Equal(expected, decoded);
        Assert.Equal(Compact(Fixture(file)), Encoding.UTF8.GetString(codec.Encode(decoded)!));
    }

    [Fact]
    public void Statement_ListOfTheBaseType_HoldsBothKinds_AndWritesBackTheSame()
    {
        var codec = Registry.Default<Statement>();

        var statement = codec.Decode(Fixture("statement.value.json"));

        Assert.Equal([new Deposit("acc-9", 10.00m), new Withdrawal("acc-9", 2.50m)], statement.Events);
        Assert.Equal(new DateTimeOffset(2023, 12, 31, 23, 0, 0, TimeSpan.FromHours(-1)), statement.Opened);
        Assert.Equal(TimeSpan.FromHours(-1), statement.Opened.Offset);
        Assert.Equal(Compact(Fixture("statement.value.json")), Encoding.UTF8.GetString(codec.Encode(statement)!));
    }

    [Fact]
    public void ClickCounter_RawKeyAndJsonCount_AreTheEngineDefaults()
    {
        Assert.Equal("https://example.com/page/0", Codecs.Default<string>().Decode(Fixture("click.key.bin")));
        Assert.Equal(1, Codecs.Default<int>().Decode(Fixture("click.value.json")));
        Assert.Equal(Fixture("click.value.json"), Codecs.Default<int>().Encode(1));
    }

    // Python's json.dumps output without its separators' spaces: System.Text.Json's compact form.
    private static string Compact(byte[] python) => JsonNode.Parse(python)!.ToJsonString();

    private static void AssertOrder(Order expected, Order actual)
    {
        Assert.Equal(expected.Items, actual.Items);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected with { Items = actual.Items, Tags = actual.Tags }, actual);
    }
}
