using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Faust.Serialization;
using FaustCodecs = Faust.Serialization.Codecs;

namespace Faust.Bench.Codecs;

// Encode + decode of one Order per operation, through the codec layer and through JsonSerializer directly on the same
// type and the same contract, in the same run. Two pairs:
// - plain contract: Codecs.Json(typeInfo) beside JsonSerializer with the source-generated typeInfo;
// - Faust's format: Codecs.Record(context) (envelope, decimals as strings, ISO dates) beside JsonSerializer with the
//   very serializer options the codec uses (FaustJsonOptions.SerializerOptions).
// The ratio inside each pair is what the codec layer adds; the plain pair's baseline against the Faust pair shows
// what Faust's format costs.
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CodecBenchmarks
{
    private static readonly Order Sample = new(
        Guid.Parse("5f1d7c3e-8f0a-4b7e-9a4e-2c1d0b9e8f7a"), "acc-00042", "AAPL", Side.Buy, 25, 187.4250m,
        new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1_234_560), null,
        new Dictionary<string, string> { ["channel"] = "web", ["region"] = "eu-west" });

    private readonly FaustJsonOptions _faust = new() { Serializer = OrderJsonContext.Default.Options };
    private ICodec<Order> _plainCodec = null!;
    private ICodec<Order> _faustCodec = null!;
    private System.Text.Json.Serialization.Metadata.JsonTypeInfo<Order> _faustTypeInfo = null!;

    [GlobalSetup]
    public void Setup()
    {
        _plainCodec = FaustCodecs.Json(OrderJsonContext.Default.Order);
        _faustCodec = FaustCodecs.Record<Order>(_faust);
        _faustTypeInfo = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<Order>)_faust.SerializerOptions.GetTypeInfo(typeof(Order));
        var bytes = _faustCodec.Encode(Sample)!;
        var decoded = _faustCodec.Decode(bytes);
        if (decoded != Sample with { Tags = decoded.Tags } || !decoded.Tags.SequenceEqual(Sample.Tags))
        {
            throw new InvalidOperationException($"The Faust codec does not round-trip the sample: {System.Text.Encoding.UTF8.GetString(bytes)} read as {decoded}.");
        }
    }

    [Benchmark(Baseline = true, Description = "JsonSerializer, source-generated")]
    [BenchmarkCategory("plain contract")]
    public Order PlainJsonSerializer()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(Sample, OrderJsonContext.Default.Order);
        return JsonSerializer.Deserialize(bytes, OrderJsonContext.Default.Order)!;
    }

    [Benchmark(Description = "Codecs.Json(typeInfo)")]
    [BenchmarkCategory("plain contract")]
    public Order PlainCodec() => _plainCodec.Decode(_plainCodec.Encode(Sample));

    [Benchmark(Baseline = true, Description = "JsonSerializer, Faust options")]
    [BenchmarkCategory("Faust format")]
    public Order FaustJsonSerializer()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(Sample, _faustTypeInfo);
        return JsonSerializer.Deserialize(bytes, _faustTypeInfo)!;
    }

    [Benchmark(Description = "Codecs.Record(context)")]
    [BenchmarkCategory("Faust format")]
    public Order FaustCodec() => _faustCodec.Decode(_faustCodec.Encode(Sample));
}
