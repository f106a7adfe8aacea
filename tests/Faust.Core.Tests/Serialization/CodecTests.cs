using System.Text;
using System.Text.Json;
using Faust.Serialization;

namespace Faust.Core.Tests.Serialization;

public class CodecTests
{
    public sealed record PageView(string Url, int Count, DateTimeOffset At, string[] Tags);

    public sealed record Order(string CustomerId, decimal TotalAmount);

    [Theory]
    [InlineData("")]
    [InlineData("https://example.com/page/0")]
    [InlineData("ünïcødé")]
    [InlineData("日本語のキー")]
    [InlineData("emoji 🎉 and \"quotes\" and \\ and \0")]
    [InlineData("\uFEFFstarts with a byte-order mark")]
    public void Utf8String_RoundTrips_AsRawUtf8(string value)
    {
        var bytes = Codecs.Utf8String.Encode(value);

        Assert.Equal(Encoding.UTF8.GetBytes(value), bytes);
        Assert.Equal(value, Codecs.Utf8String.Decode(bytes));
    }

    [Fact]
    public void Utf8String_EmptyBytes_DecodeToEmptyString()
    {
        Assert.Equal(string.Empty, Codecs.Utf8String.Decode(ReadOnlySpan<byte>.Empty));
        Assert.Empty(Codecs.Utf8String.Encode(string.Empty)!);
    }

    [Fact]
    public void Utf8String_InvalidUtf8_ThrowsCodecExceptionNamingString()
    {
        var ex = Assert.Throws<CodecException>(() => Codecs.Utf8String.Decode([0x61, 0xff, 0xfe]));

        Assert.Equal(typeof(string), ex.TargetType);
        Assert.Contains("String", ex.Message, StringComparison.Ordinal);
        Assert.IsType<DecoderFallbackException>(ex.InnerException);
    }

    [Fact]
    public void Utf8String_UnpairedSurrogate_IsRejectedOnEncode()
    {
        Assert.ThrowsAny<ArgumentException>(() => Codecs.Utf8String.Encode("bad \uD800 surrogate"));
    }

    [Fact]
    public void Bytes_RoundTrip_AndDecodeCopies()
    {
        byte[] value = [0, 1, 2, 0xff];
        var encoded = Codecs.Bytes.Encode(value);
        Assert.Same(value, encoded);

        var decoded = Codecs.Bytes.Decode(encoded);
        Assert.Equal(value, decoded);
        Assert.NotSame(value, decoded);
        Assert.Empty(Codecs.Bytes.Decode(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void NullReferences_EncodeToKafkaNull()
    {
        Assert.Null(Codecs.Utf8String.Encode(null!));
        Assert.Null(Codecs.Bytes.Encode(null!));
        Assert.Null(Codecs.Json<PageView>().Encode(null!));
        Assert.Null(Codecs.Default<PageView>().Encode(null!));
        Assert.Null(Codecs.Default<int?>().Encode(null));
    }

    [Fact]
    public void Json_Record_RoundTrips_WithWebDefaults()
    {
        var codec = Codecs.Json<PageView>();
        var value = new PageView("https://example.com/ünï", 3, new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)), ["a", "b"]);

        var bytes = codec.Encode(value)!;
        var decoded = codec.Decode(bytes);

        Assert.Equal(value.Url, decoded.Url);
        Assert.Equal(value.Count, decoded.Count);
        Assert.Equal(value.At, decoded.At);
        Assert.Equal(value.Tags, decoded.Tags);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web), bytes);
        Assert.Contains("\"url\":", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_ReadsPropertiesCaseInsensitively_AndNumbersFromStrings()
    {
        var decoded = Codecs.Json<PageView>().Decode("""{"URL":"u","count":"7","at":"2024-01-01T00:00:00Z","tags":[]}"""u8);

        Assert.Equal("u", decoded.Url);
        Assert.Equal(7, decoded.Count);
    }

    [Fact]
    public void Json_WithOptions_UsesThem()
    {
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        var codec = Codecs.Json<Order>(options);

        var bytes = codec.Encode(new Order("c-1", 12.5m))!;

        Assert.Equal("""{"customer_id":"c-1","total_amount":12.5}""", Encoding.UTF8.GetString(bytes));
        Assert.Equal(new Order("c-1", 12.5m), codec.Decode(bytes));
    }

    [Fact]
    public void Json_InvalidJson_ThrowsCodecExceptionNamingTheType()
    {
        var ex = Assert.Throws<CodecException>(() => Codecs.Json<Order>().Decode("{\"customerId\": oops}"u8));

        Assert.Equal(typeof(Order), ex.TargetType);
        Assert.Contains("Order", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
    }

    [Fact]
    public void Json_WrongShape_ThrowsCodecException()
    {
        var ex = Assert.Throws<CodecException>(() => Codecs.Default<Order>().Decode("[1,2,3]"u8));
        Assert.Contains("Order", ex.Message, StringComparison.Ordinal);

        Assert.Throws<CodecException>(() => Codecs.Default<Order>().Decode(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void Json_NullLiteral_IsRejectedForReferenceTypes_ButAllowedForNullable()
    {
        var ex = Assert.Throws<CodecException>(() => Codecs.Json<Order>().Decode("null"u8));
        Assert.Contains("Order", ex.Message, StringComparison.Ordinal);

        Assert.Null(Codecs.Default<int?>().Decode("null"u8));
        Assert.Equal(5, Codecs.Default<int?>().Decode("5"u8));
    }

    [Fact]
    public void CodecException_NamesGenericTypesReadably()
    {
        var ex = Assert.Throws<CodecException>(() => Codecs.Json<Dictionary<string, long>>().Decode("[]"u8));

        Assert.Contains("Dictionary<String, Int64>", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_PicksRawForStringsAndBytes_AndCachesPerType()
    {
        Assert.Same(Codecs.Utf8String, Codecs.Default<string>());
        Assert.Same(Codecs.Bytes, Codecs.Default<byte[]>());
        Assert.Same(Codecs.Default<long>(), Codecs.Default<long>());
        Assert.Same(Codecs.Default<PageView>(), Codecs.Default<PageView>());
        Assert.Equal("\"x\""u8.ToArray(), Codecs.Json<string>().Encode("x"));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(42L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void Default_Long_RoundTrips(long value)
    {
        var codec = Codecs.Default<long>();
        Assert.Equal(value, codec.Decode(codec.Encode(value)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(-7)]
    [InlineData(-123456)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void Default_Int_RoundTrips(int value)
    {
        var codec = Codecs.Default<int>();
        Assert.Equal(value, codec.Decode(codec.Encode(value)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Default_Bool_RoundTrips(bool value)
    {
        var codec = Codecs.Default<bool>();
        Assert.Equal(value, codec.Decode(codec.Encode(value)));
    }

    [Fact]
    public void Default_Long_WritesPlainJsonNumber()
    {
        Assert.Equal("42"u8.ToArray(), Codecs.Default<long>().Encode(42));
        Assert.Equal("-9223372036854775808"u8.ToArray(), Codecs.Default<long>().Encode(long.MinValue));
    }

    [Fact]
    public void FastPrimitiveCodecs_WriteExactlyWhatJsonSerializerWrites()
    {
        foreach (var value in new[] { 0, 1, -1, 9, 10, 99, -100, 123456789, int.MinValue, int.MaxValue })
        {
            AssertSameBytes(value);
        }

        foreach (var value in new[] { 0L, 42L, -42L, 1L << 53, -(1L << 53) - 1, long.MinValue, long.MaxValue })
        {
            AssertSameBytes(value);
        }

        AssertSameBytes(true);
        AssertSameBytes(false);

        double[] doubles =
        [
            0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.1 + 0.2, 1.0 / 3.0, 2.5, 100.0, 1e15, 1e16, 1e17, 1e20, 1e21, 1e22,
            1e-5, 1e-6, 1e-7, 1.5e-300, 123456789.123456789, double.MaxValue, double.MinValue, double.Epsilon,
            -double.Epsilon, Math.PI, Math.E, 9007199254740993.0, 4.35, 0.000123,
        ];
        foreach (var value in doubles)
        {
            AssertSameBytes(value);
        }

        var random = new Random(20240506);
        Span<byte> bits = stackalloc byte[8];
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(bits);
            var value = BitConverter.ToDouble(bits);
            if (double.IsFinite(value))
            {
                AssertSameBytes(value);
            }

            AssertSameBytes(random.NextDouble() * Math.Pow(10, random.Next(-30, 30)));
            AssertSameBytes(random.NextInt64(long.MinValue, long.MaxValue));
            AssertSameBytes(random.Next(int.MinValue, int.MaxValue));
        }
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Default_Double_RefusesNonFiniteValues_LikeJsonSerializer(double value)
    {
        Assert.ThrowsAny<ArgumentException>(() => JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web));
        Assert.ThrowsAny<ArgumentException>(() => Codecs.Default<double>().Encode(value));
    }

    [Fact]
    public void Default_Double_RoundTrips()
    {
        var codec = Codecs.Default<double>();
        foreach (var value in new[] { 0.0, -0.0, 0.1, -2.5e-8, 1e21, double.MaxValue, double.Epsilon })
        {
            var decoded = codec.Decode(codec.Encode(value));
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(decoded));
        }
    }

    [Theory]
    [InlineData("42")]
    [InlineData(" 42 ")]
    [InlineData("\"42\"")]
    [InlineData("-0")]
    [InlineData("42.0")]
    [InlineData("4.2e1")]
    [InlineData("1e3")]
    [InlineData("9223372036854775808")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("42 43")]
    [InlineData("42x")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("\"4\\u0032\"")]
    [InlineData("[42]")]
    [InlineData("0")]
    [InlineData("-")]
    [InlineData("-42")]
    [InlineData("007")]
    [InlineData("-07")]
    [InlineData("+7")]
    [InlineData("999999999")]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    [InlineData("999999999999999999")]
    [InlineData("-9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("4 2")]
    [InlineData("4/")]
    [InlineData("4:")]
    public void FastPrimitiveCodecs_ReadWhatJsonSerializerReads(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        AssertSameDecode<int>(bytes);
        AssertSameDecode<long>(bytes);
        AssertSameDecode<double>(bytes);
        AssertSameDecode<bool>(bytes);
    }

    [Fact]
    public void Default_Long_BadBytes_ThrowCodecExceptionNamingTheType()
    {
        var ex = Assert.Throws<CodecException>(() => Codecs.Default<long>().Decode("abc"u8));

        Assert.Equal(typeof(long), ex.TargetType);
        Assert.Contains("Int64", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("2147483648")]
    [InlineData("1.5")]
    [InlineData("null")]
    public void Default_Int_BadBytes_ThrowCodecException(string json)
    {
        var ex = Assert.Throws<CodecException>(() => Codecs.Default<int>().Decode(Encoding.UTF8.GetBytes(json)));

        Assert.Contains("Int32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_BoolAndDouble_BadBytes_ThrowCodecException()
    {
        Assert.Contains("Boolean", Assert.Throws<CodecException>(() => Codecs.Default<bool>().Decode("yes"u8)).Message, StringComparison.Ordinal);
        Assert.Contains("Double", Assert.Throws<CodecException>(() => Codecs.Default<double>().Decode("1.2.3"u8)).Message, StringComparison.Ordinal);
    }

    private static void AssertSameBytes<T>(T value)
    {
        var expected = JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web);
        var actual = Codecs.Default<T>().Encode(value);
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            Assert.Fail($"{typeof(T).Name} {value}: JsonSerializer wrote {Encoding.UTF8.GetString(expected)}, the codec wrote {Encoding.UTF8.GetString(actual!)}.");
        }
    }

    private static void AssertSameDecode<T>(byte[] bytes)
    {
        T? expected = default;
        Exception? expectedError = null;
        try
        {
            expected = JsonSerializer.Deserialize<T>(bytes, JsonSerializerOptions.Web);
        }
        catch (JsonException e)
        {
            expectedError = e;
        }

        if (expectedError is null)
        {
            Assert.Equal(expected, Codecs.Default<T>().Decode(bytes));
        }
        else
        {
            var ex = Assert.Throws<CodecException>(() => Codecs.Default<T>().Decode(bytes));
            Assert.Equal(expectedError.Message, ex.InnerException!.Message);
        }
    }
}
