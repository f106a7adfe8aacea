using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Faust.Records;
using Faust.Serialization;

namespace Faust.Core.Tests.Serialization;

public sealed class RecordCodecTests
{
    private static readonly Trade SampleTrade = new(
        Guid.Parse("5f1d7c3e-8f0a-4b7e-9a4e-2c1d0b9e8f7a"), "AAPL", TradeSide.Sell, 150.250m, null,
        new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)).AddTicks(1234560), null);

    private static string Text(byte[]? bytes) => Encoding.UTF8.GetString(bytes!);

    [Fact]
    public void Record_EndsWithFaustEnvelope_NamedByTheTypesFullName()
    {
        var json = Text(Codecs.Record<Point>().Encode(new Point(1, 2)));

        Assert.Equal("""{"x":1,"y":2,"__faust":{"ns":"Faust.Core.Tests.Serialization.Point"}}""", json);
    }

    [Fact]
    public void DefaultCodec_OfARecord_IsFaustJson()
    {
        var json = Text(Codecs.Default<Point>().Encode(new Point(1, 2)));

        Assert.EndsWith(""","__faust":{"ns":"Faust.Core.Tests.Serialization.Point"}}""", json);
        Assert.Equal(new Point(1, 2), Codecs.Default<Point>().Decode(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Attribute_NamesTheRecord_AndCanTurnTheEnvelopeOff()
    {
        Assert.Equal("tests.Trade", RecordRegistry.NamespaceOf(typeof(Trade)));
        Assert.Equal("Faust.Core.Tests.Serialization.RecordCodecTests.Nested", RecordRegistry.NamespaceOf(typeof(Nested)));
        Assert.Equal("""{"name":"n"}""", Text(Codecs.Record<NoEnvelope>().Encode(new NoEnvelope("n"))));
        var off = new FaustJsonOptions { IncludeMetadata = false };
        Assert.Equal("""{"x":1,"y":2}""", Text(Codecs.Record<Point>(off).Encode(new Point(1, 2))));
    }

    [Fact]
    public void Decoding_AcceptsRecordsWithAndWithoutTheEnvelope()
    {
        var codec = Codecs.Record<Point>();

        Assert.Equal(new Point(3, 4), codec.Decode("""{"x": 3, "y": 4}"""u8));
        Assert.Equal(new Point(3, 4), codec.Decode("""{"__faust": {"ns": "whatever.Point"}, "x": 3, "y": 4}"""u8));
        Assert.Equal(new Point(3, 4), codec.Decode("""{"x": 3, "y": 4, "__faust": {"ns": "Faust.Core.Tests.Serialization.Point"}}"""u8));
    }

    [Fact]
    public void Types_AreWrittenAsPythonFaustWritesThem()
    {
        var json = JsonNode.Parse(Codecs.Record<Trade>().Encode(SampleTrade))!.AsObject();

        Assert.Equal("5f1d7c3e-8f0a-4b7e-9a4e-2c1d0b9e8f7a", json["id"]!.GetValue<string>());
        Assert.Equal("sell", json["side"]!.GetValue<string>());
        Assert.Equal("150.250", json["price"]!.GetValue<string>());
        Assert.Null(json["fee"]);
        Assert.True(json.ContainsKey("fee"));
        Assert.Equal("2024-05-06T07:08:09.123456+02:00", json["at"]!.GetValue<string>());
        Assert.Null(json["settledAt"]);
        Assert.Equal("tests.Trade", json["__faust"]!["ns"]!.GetValue<string>());
    }

    [Fact]
    public void Types_RoundTrip()
    {
        var codec = Codecs.Record<Trade>();
        var full = SampleTrade with { Fee = 0.0001m, SettledAt = new DateTimeOffset(2024, 5, 7, 0, 0, 0, TimeSpan.Zero) };

        Assert.Equal(SampleTrade, codec.Decode(codec.Encode(SampleTrade)));
        Assert.Equal(full, codec.Decode(codec.Encode(full)));
        Assert.Equal("0.0001", JsonNode.Parse(codec.Encode(full))!["fee"]!.GetValue<string>());
        Assert.Equal("2024-05-07T00:00:00Z", JsonNode.Parse(codec.Encode(full))!["settledAt"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("\"12.50\"", "12.50")]
    [InlineData("12.50", "12.50")]
    [InlineData("\"1E+2\"", "100")]
    [InlineData("\"-0.000000001\"", "-0.000000001")]
    [InlineData("\"79228162514264337593543950335\"", "79228162514264337593543950335")]
    public void Decimal_ReadsStringsAndNumbers_KeepingTheScale(string price, string expected)
    {
        var trade = Codecs.Record<Trade>().Decode(Encoding.UTF8.GetBytes(TradeJson(price: price)));

        Assert.Equal(expected, trade.Price.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("\"NaN\"")]
    [InlineData("\"12,5\"")]
    [InlineData("\"1E+400\"")]
    [InlineData("true")]
    public void Decimal_BadValue_IsACodecException(string price)
    {
        var ex = Assert.Throws<CodecException>(() => Codecs.Record<Trade>().Decode(Encoding.UTF8.GetBytes(TradeJson(price: price))));

        Assert.Contains("$.price", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2024-05-06T07:08:09.123456Z", "2024-05-06T07:08:09.1234560+00:00")]
    [InlineData("2024-05-06T07:08:09.123456+00:00", "2024-05-06T07:08:09.1234560+00:00")]
    [InlineData("2024-05-06T07:08:09+05:30", "2024-05-06T07:08:09.0000000+05:30")]
    [InlineData("2024-05-06T07:08:09.123456", "2024-05-06T07:08:09.1234560+00:00")]
    [InlineData("2024-05-06T07:08:09", "2024-05-06T07:08:09.0000000+00:00")]
    [InlineData("2024-05-06 07:08:09.5-03:00", "2024-05-06T07:08:09.5000000-03:00")]
    [InlineData("2024-05-06", "2024-05-06T00:00:00.0000000+00:00")]
    public void DateTimeOffset_ReadsPythonIsoFormats_NaiveAsUtc(string iso, string expected)
    {
        var trade = Codecs.Record<Trade>().Decode(Encoding.UTF8.GetBytes(TradeJson(at: $"\"{iso}\"")));

        Assert.Equal(expected, trade.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("\"yesterday\"")]
    [InlineData("1714979289")]
    public void DateTimeOffset_BadValue_IsACodecException(string at)
    {
        Assert.Throws<CodecException>(() => Codecs.Record<Trade>().Decode(Encoding.UTF8.GetBytes(TradeJson(at: at))));
    }

    [Fact]
    public void DateTime_IsWrittenAsPythonWritesIt()
    {
        var codec = Codecs.Record<DateTime>();
        var utc = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddTicks(10);
        var naive = new DateTime(2024, 5, 6, 7, 8, 9, 500, DateTimeKind.Unspecified);

        Assert.Equal("\"2024-05-06T07:08:09.000001Z\"", Text(codec.Encode(utc)));
        Assert.Equal("\"2024-05-06T07:08:09.500000\"", Text(codec.Encode(naive)));
        Assert.Equal(naive, codec.Decode(codec.Encode(naive)));
        Assert.Equal(DateTimeKind.Unspecified, codec.Decode(codec.Encode(naive)).Kind);
        Assert.Equal(DateTimeKind.Utc, codec.Decode("\"2024-05-06T09:08:09+02:00\""u8).Kind);
        Assert.Equal(new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc), codec.Decode("\"2024-05-06T09:08:09+02:00\""u8));
    }

    [Fact]
    public void Enums_AreStrings_ReadCaseInsensitively_AndFromNumbers()
    {
        var codec = Codecs.Record<Color>();

        Assert.Equal("\"DarkBlue\"", Text(codec.Encode(Color.DarkBlue)));
        Assert.Equal(Color.DarkBlue, codec.Decode("\"darkblue\""u8));
        Assert.Equal(Color.DarkBlue, codec.Decode("1"u8));
        Assert.Throws<CodecException>(() => codec.Decode("\"Purple\""u8));
    }

    [Fact]
    public void NestedRecords_ListsAndDictionaries_CarryTheirOwnEnvelope_AndRoundTrip()
    {
        var line = new Line("AAPL", 2, 150.25m);
        var basket = new Basket("ann", line, [line, new Line("MSFT", 1, 99.50m)], new() { ["AAPL"] = line }, Color.Red);
        var codec = Codecs.Record<Basket>();

        var bytes = codec.Encode(basket);
        var json = JsonNode.Parse(bytes)!;

        Assert.Equal("tests.Basket", json["__faust"]!["ns"]!.GetValue<string>());
        Assert.Equal("tests.Line", json["first"]!["__faust"]!["ns"]!.GetValue<string>());
        Assert.Equal("tests.Line", json["lines"]![1]!["__faust"]!["ns"]!.GetValue<string>());
        Assert.Equal("tests.Line", json["bySku"]!["AAPL"]!["__faust"]!["ns"]!.GetValue<string>());
        Assert.Equal("99.50", json["lines"]![1]!["unitPrice"]!.GetValue<string>());
        Assert.Null(json["extra"]);
        var decoded = codec.Decode(bytes);
        Assert.Equal(basket.Lines, decoded.Lines);
        Assert.Equal(line, decoded.BySku["AAPL"]);
        Assert.Equal(basket with { Lines = decoded.Lines, BySku = decoded.BySku }, decoded);
    }

    [Fact]
    public void AbstractBase_DecodesToTheSubclassTheEnvelopeNames()
    {
        var codec = Codecs.Record<Shape>();

        var circle = codec.Decode("""{"label": "c", "radius": 2.5, "__faust": {"ns": "tests.Circle"}}"""u8);
        var square = codec.Decode("""{"__faust": {"ns": "tests.Square"}, "label": "s", "side": 3}"""u8);

        Assert.Equal(new Circle("c", 2.5), circle);
        Assert.Equal(new Square("s", 3), square);
    }

    [Fact]
    public void AbstractBase_EncodesTheRuntimeTypesFieldsAndNamespace()
    {
        var json = Text(Codecs.Record<Shape>().Encode(new Circle("c", 2.5)));

        Assert.Equal("""{"label":"c","radius":2.5,"__faust":{"ns":"tests.Circle"}}""", json);
    }

    [Fact]
    public void BaseTypedFields_AndListsOfThem_ArePolymorphic()
    {
        var drawing = new Drawing("d", new Square("main", 1), [new Circle("a", 1), new Square("b", 2)]);
        var codec = Codecs.Record<Drawing>();

        var bytes = codec.Encode(drawing);
        var decoded = codec.Decode(bytes);

        Assert.Equal("tests.Square", JsonNode.Parse(bytes)!["main"]!["__faust"]!["ns"]!.GetValue<string>());
        Assert.Equal(drawing.Main, decoded.Main);
        Assert.Equal(drawing.Shapes, decoded.Shapes);
    }

    [Fact]
    public void AbstractBase_WithoutOrWithAnUnknownNamespace_IsACodecException()
    {
        var codec = Codecs.Record<Shape>();

        var missing = Assert.Throws<CodecException>(() => codec.Decode("""{"label": "x"}"""u8));
        var unknown = Assert.Throws<CodecException>(() => codec.Decode("""{"label": "x", "__faust": {"ns": "tests.Triangle"}}"""u8));
        var unrelated = Assert.Throws<CodecException>(() => codec.Decode("""{"name": "x", "__faust": {"ns": "tests.Unrelated"}}"""u8));

        Assert.Contains("abstract", missing.Message, StringComparison.Ordinal);
        Assert.Contains("'tests.Triangle'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("'tests.Unrelated'", unrelated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConcreteBase_DecodesAsItselfUnlessTheEnvelopeNamesASubclass()
    {
        RecordRegistry.Default.Register<Unrelated>();
        var codec = Codecs.Record<Animal>();

        Assert.Equal(new Dog("rex", true), codec.Decode("""{"name": "rex", "goodBoy": true, "__faust": {"ns": "tests.Dog"}}"""u8));
        Assert.Equal(new Animal("tom"), codec.Decode("""{"name": "tom"}"""u8));
        Assert.Equal(new Animal("tom"), codec.Decode("""{"name": "tom", "__faust": {"ns": "python.Cat"}}"""u8));
        Assert.Equal(new Animal("tom"), codec.Decode("""{"name": "tom", "__faust": {"ns": "tests.Unrelated"}}"""u8));
        Assert.Equal(new Animal("tom"), codec.Decode("""{"name": "tom", "__faust": {"ns": "tests.Animal"}}"""u8));
    }

    [Fact]
    public void Registry_RefusesTwoTypesForOneNamespace()
    {
        var registry = new RecordRegistry();
        registry.Register<Circle>();
        registry.Register<Circle>();

        var ex = Assert.Throws<InvalidOperationException>(() => registry.Register<SecondCircle>());

        Assert.Contains("'tests.Circle'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => registry.Register<Shape>());
        Assert.True(registry.TryGetType("tests.Circle", out var type));
        Assert.Equal(typeof(Circle), type);
    }

    [Fact]
    public void Validation_IsOffByDefault()
    {
        var payment = Codecs.Record<Payment>().Decode("""{"account": "x", "amount": "-5"}"""u8);

        Assert.Equal(-5m, payment.Amount);
    }

    [Fact]
    public void Validation_On_MakesAnInvalidRecordACodecException_NamingTheMembers()
    {
        var codec = Codecs.Record<Payment>(new FaustJsonOptions { Validation = true });

        var ex = Assert.Throws<CodecException>(() => codec.Decode("""{"account": "x", "amount": "-5"}"""u8));

        var invalid = Assert.IsType<RecordValidationException>(ex.InnerException);
        Assert.Equal(typeof(Payment), invalid.RecordType);
        Assert.Equal(["account", "amount"], invalid.Errors.Keys.Order());
        Assert.Contains("Payment is invalid", ex.Message, StringComparison.Ordinal);
        Assert.Equal(new Payment("abc", 5m), codec.Decode("""{"account": "abc", "amount": "5"}"""u8));
    }

    [Fact]
    public void Validation_On_RunsTheValidateHook()
    {
        var codec = Codecs.Record<Payment>(new FaustJsonOptions { Validation = true });

        var ex = Assert.Throws<CodecException>(() => codec.Decode("""{"account": "blocked", "amount": "5"}"""u8));

        var invalid = Assert.IsType<RecordValidationException>(ex.InnerException);
        Assert.Equal(["This account may not pay."], invalid.Errors["account"]);
    }

    [Fact]
    public void Validation_On_ChecksNestedRecords_WithTheirPath()
    {
        var codec = Codecs.Record<PaymentBatch>(new FaustJsonOptions { Validation = true });

        var ex = Assert.Throws<CodecException>(() =>
            codec.Decode("""{"id": "b", "payments": [{"account": "abc", "amount": "1"}, {"account": "abc", "amount": "0"}]}"""u8));

        var invalid = Assert.IsType<RecordValidationException>(ex.InnerException);
        Assert.Equal("$.payments[1]", invalid.Path);
        Assert.Equal(["amount"], invalid.Errors.Keys);
    }

    [Fact]
    public void Validation_PerRecordAttribute_AppliesWithValidationOff()
    {
        Assert.Throws<CodecException>(() => Codecs.Record<StrictRecord>().Decode("""{"level": 11}"""u8));
        Assert.Equal(new StrictRecord(3), Codecs.Record<StrictRecord>().Decode("""{"level": 3}"""u8));
    }

    [Fact]
    public void JsonNullAndMalformedJson_AreCodecExceptions()
    {
        Assert.Throws<CodecException>(() => Codecs.Record<Trade>().Decode("null"u8));
        Assert.Throws<CodecException>(() => Codecs.Record<Trade>().Decode("{"u8));
        Assert.Throws<CodecException>(() => Codecs.Record<Shape>().Decode("[1]"u8));
        Assert.Null(Codecs.Record<Trade>().Encode(null!));
    }

    [Fact]
    public void SourceGeneratedContext_WritesTheSameBytesAsReflection()
    {
        var line = new Line("AAPL", 2, 150.25m);
        var basket = new Basket("ann", line, [line], new() { ["AAPL"] = line }, Color.DarkBlue);
        var drawing = new Drawing("d", new Square("main", 1), [new Circle("a", 1)]);

        Assert.Equal(Text(Codecs.Record<Trade>().Encode(SampleTrade)), Text(Codecs.Record(RecordJsonContext.Default.Trade).Encode(SampleTrade)));
        Assert.Equal(Text(Codecs.Record<Basket>().Encode(basket)), Text(Codecs.Record<Basket>(RecordJsonContext.Default).Encode(basket)));
        Assert.Equal(Text(Codecs.Record<Drawing>().Encode(drawing)), Text(Codecs.Record(RecordJsonContext.Default.Drawing).Encode(drawing)));

        var decoded = Codecs.Record(RecordJsonContext.Default.Drawing).Decode(Codecs.Record<Drawing>().Encode(drawing));
        Assert.Equal(drawing.Shapes, decoded.Shapes);
        Assert.Equal(SampleTrade, Codecs.Record(RecordJsonContext.Default.Trade).Decode(Codecs.Record<Trade>().Encode(SampleTrade)));
    }

    [Fact]
    public void SerializerOptions_WithSnakeCase_NameFieldsAsPythonDoes()
    {
        var options = new FaustJsonOptions { Serializer = new JsonSerializerOptions(JsonSerializerOptions.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower } };

        var json = Text(Codecs.Record<Line>(options).Encode(new Line("A", 1, 2m)));

        Assert.Equal("""{"sku":"A","quantity":1,"unit_price":"2","__faust":{"ns":"tests.Line"}}""", json);
        Assert.Same(options.SerializerOptions, options.SerializerOptions);
        Assert.Equal(json, JsonSerializer.Serialize(new Line("A", 1, 2m), options.SerializerOptions));
    }

    private static string TradeJson(string price = "\"1\"", string at = "\"2024-01-01T00:00:00Z\"") =>
        $$"""{"id": "5f1d7c3e-8f0a-4b7e-9a4e-2c1d0b9e8f7a", "symbol": "A", "side": "buy", "price": {{price}}, "fee": null, "at": {{at}}, "settledAt": null}""";

    public sealed record Nested(int A);

    [FaustRecord("tests.Circle")]
    public sealed record SecondCircle(double R);
}
