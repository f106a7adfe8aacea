using System.Text;
using System.Text.Json;
using Faust.Serialization;

namespace Faust.Core.Tests.Serialization;

public sealed class CodecRegistryTests
{
    private readonly CodecRegistry _registry = new();

    [Fact]
    public void BuiltInNames_AreFaustsCodecs()
    {
        Assert.Equal(["binary", "json", "raw", "string"], _registry.Names);
        Assert.Same(Codecs.Bytes, _registry.Get<byte[]>("raw"));
        Assert.Same(Codecs.Utf8String, _registry.Get<string>("raw"));
        Assert.Same(Codecs.Utf8String, _registry.Get<string>("string"));
        Assert.Equal("\"k\"", Encoding.UTF8.GetString(_registry.Get<string>("json").Encode("k")!));
        Assert.Equal("aGk=", Encoding.UTF8.GetString(_registry.Get<byte[]>("binary").Encode("hi"u8.ToArray())!));
        Assert.Equal("aGk=", Encoding.UTF8.GetString(_registry.Get<string>("binary").Encode("hi")!));
    }

    [Fact]
    public void JsonThenBinary_IsBase64OfTheJson_AndDecodesBack()
    {
        var codec = _registry.Get<Line>("json|binary");
        var line = new Line("AAPL", 2, 1.50m);

        var bytes = codec.Encode(line)!;

        var json = Codecs.Record<Line>().Encode(line)!;
        Assert.Equal(Convert.ToBase64String(json), Encoding.ASCII.GetString(bytes));
        Assert.Equal(line, codec.Decode(bytes));
        Assert.Equal(line, _registry.Get<Line>(" json | binary ").Decode(bytes));
    }

    [Fact]
    public void Binary_RejectsBytesThatAreNotBase64()
    {
        var ex = Assert.Throws<CodecException>(() => _registry.Get<Line>("json|binary").Decode("{not base64}"u8));

        Assert.Contains("base64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownName_NamesTheRegisteredOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => _registry.Get<Line>("json|zstd"));

        Assert.Contains("'zstd'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("binary, json, raw, string", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CodecThatCannotEncodeTheType_IsRefusedAtDeclaration()
    {
        Assert.Contains("cannot encode Line", Assert.Throws<ArgumentException>(() => _registry.Get<Line>("raw")).Message, StringComparison.Ordinal);
        Assert.Contains("transforms bytes", Assert.Throws<ArgumentException>(() => _registry.Get<Line>("json|string")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsersRegisterCodecsOfOneType_OrForEveryType()
    {
        _registry.Register("rot13", new Rot13());
        _registry.Register("upper", new UpperJson());

        var chained = _registry.Get<string>("string|rot13");
        Assert.Equal("uryyb", Encoding.UTF8.GetString(chained.Encode("hello")!));
        Assert.Equal("hello", chained.Decode("uryyb"u8));
        Assert.Equal("""{"SKU":"A","QUANTITY":1,"UNIT_PRICE":"2"}""", Encoding.UTF8.GetString(_registry.Get<Line>("upper").Encode(new Line("A", 1, 2))!));
        Assert.Contains("rot13", _registry.Names);
        Assert.Throws<ArgumentException>(() => _registry.Register("bad|name", new Rot13()));
    }

    [Fact]
    public void Default_UsesTheRegistrysJsonSettings()
    {
        var snake = new CodecRegistry(new FaustJsonOptions
        {
            Serializer = new JsonSerializerOptions(JsonSerializerOptions.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower },
            IncludeMetadata = false,
        });

        Assert.Equal("""{"sku":"A","quantity":1,"unit_price":"2"}""", Encoding.UTF8.GetString(snake.Default<Line>().Encode(new Line("A", 1, 2))!));
        Assert.Same(snake.Default<Line>(), snake.Default<Line>());
        Assert.Same(Codecs.Utf8String, snake.Default<string>());
        Assert.Same(Codecs.Default<Line>(), _registry.Default<Line>());
    }

    [Fact]
    public void JsonSettings_CanChangeUntilAJsonCodecWasCreated()
    {
        var registry = new CodecRegistry();
        _ = registry.Default<string>();
        _ = registry.Default<long>();
        var snake = new FaustJsonOptions { IncludeMetadata = false };

        registry.Json = snake;
        _ = registry.Default<Line>();

        Assert.Same(snake, registry.Json);
        Assert.Throws<InvalidOperationException>(() => registry.Json = FaustJsonOptions.Default);
    }

    [Fact]
    public void Schema_ResolvesNamesAgainstTheRegistry_AndRefusesACodecAndANameTogether()
    {
        var (key, value) = new Schema<string, Line> { KeySerializer = "raw", ValueSerializer = "json|binary" }.Resolve(_registry);

        Assert.Same(Codecs.Utf8String, key);
        Assert.Equal(new Line("A", 1, 2), value.Decode(value.Encode(new Line("A", 1, 2))));
        Assert.Throws<ArgumentException>(() => new Schema<string, Line> { KeyCodec = Codecs.Utf8String, KeySerializer = "raw" }.Resolve(_registry));
        var (defaultKey, defaultValue) = new Schema<string, Line>().Resolve(_registry);
        Assert.Same(Codecs.Utf8String, defaultKey);
        Assert.Same(Codecs.Default<Line>(), defaultValue);
    }

    private sealed class Rot13 : ICodec<byte[]>
    {
        public byte[]? Encode(byte[] value) => Rotate(value);

        public byte[] Decode(ReadOnlySpan<byte> data) => Rotate(data);

        private static byte[] Rotate(ReadOnlySpan<byte> data)
        {
            var result = data.ToArray();
            for (var i = 0; i < result.Length; i++)
            {
                var c = result[i];
                if (c is >= (byte)'a' and <= (byte)'z')
                {
                    result[i] = (byte)('a' + ((c - 'a' + 13) % 26));
                }
            }

            return result;
        }
    }

    private sealed class UpperJson : ICodecProvider
    {
        private static readonly FaustJsonOptions Options = new()
        {
            Serializer = new JsonSerializerOptions(JsonSerializerOptions.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseUpper },
            IncludeMetadata = false,
        };

        public ICodec<T>? Create<T>(CodecRegistry registry) => Codecs.Record<T>(Options);
    }
}
