using System.ComponentModel.DataAnnotations;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Faust.Records;
using Faust.Serialization;
using Faust.Topics;
using Faust.Web.Hosting;

namespace Faust.Web.Tests.Docs.Snippets;

// The C# blocks of docs/records-and-codecs.md, one region each. The records declared here serve the other pages'
// snippets too.

#region order-record
[FaustRecord("orders.Order", Validation = true)]           // the namespace a Python app gives the same record
public sealed record Order(
    [property: Required(AllowEmptyStrings = false)] string AccountId,
    [property: Required(AllowEmptyStrings = false)] string InstrumentId,
    [property: Range(typeof(decimal), "0.000001", "1000000000")] decimal Amount,
    decimal Value);
#endregion

#region polymorphic-records
public abstract record BankEvent(string AccountId);
[FaustRecord("bank.Deposit")] public sealed record Deposit(string AccountId, decimal Amount) : BankEvent(AccountId);
[FaustRecord("bank.Withdrawal")] public sealed record Withdrawal(string AccountId, decimal Amount, string? Atm) : BankEvent(AccountId);
#endregion

#region source-generated-context
[JsonSerializable(typeof(Order))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
public sealed partial class OrderJson : JsonSerializerContext;
#endregion

internal static class RecordsAndCodecsSnippets
{
    internal static void PolymorphicTopic(FaustBuilder faust)
    {
        #region polymorphic-topic
        var events = faust.Topic<string, BankEvent>("bank-events");   // each event arrives as a Deposit or a Withdrawal
        #endregion
        _ = events;
    }

    internal static void JsonSettings(FaustBuilder faust)
    {
        #region json-settings
        faust.Codecs.Json = new FaustJsonOptions
        {
            Serializer = new JsonSerializerOptions(JsonSerializerOptions.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower },
            // IncludeMetadata = true, Validation = false, Records = RecordRegistry.Default   (the defaults)
        };
        #endregion
    }

    internal static void SourceGeneratedCodec(FaustBuilder faust)
    {
        #region source-generated-codec
        var orders = faust.Topic("orders", new Schema<string, Order> { ValueCodec = Codecs.Record(OrderJson.Default.Order) });
        // or for the whole app: faust.Codecs.Json = new FaustJsonOptions { Serializer = OrderJson.Default.Options };
        #endregion
        _ = orders;
    }

    internal static void NamedCodecs(FaustBuilder faust)
    {
        #region named-codecs
        faust.Codecs.Register("gzip", new GzipCodec());                       // an ICodec<byte[]>: usable after another in a chain
        faust.Codecs.Register("avro", new AvroCodecProvider());               // an ICodecProvider: one codec per type
        var avro = faust.Codecs.Get<Payment>("avro");

        var payments = faust.Topic("payments", new Schema<string, Payment>
        {
            KeySerializer = "raw",
            ValueSerializer = "json|gzip",
            // Header-driven formats: pick the decoder of each record from its headers (null: the schema's codec).
            ValueDecoderFromHeaders = headers => headers.Any(h => h.Key == "content-type" && h.Value.AsSpan().SequenceEqual("avro"u8)) ? avro : null,
        });
        var balances = faust.Table("balances", new Schema<string, decimal> { ValueSerializer = "json" }, defaultFactory: () => 0m);
        #endregion
        _ = (payments, balances);
    }

    internal static void CodecObject(FaustBuilder faust)
    {
        #region codec-object
        var archived = faust.Topic<string, Order>("orders-archive", valueCodec: Codecs.Chain(Codecs.Record<Order>(), Codecs.Binary));
        #endregion
        _ = archived;
    }

    internal static void DecodeErrors(Topic<string, Order> orders, Topic<string, int> clicks)
    {
        #region decode-errors
        orders.OnDecodeError = DecodeErrorPolicy.DeadLetter;   // the default
        clicks.OnDecodeError = DecodeErrorPolicy.Skip;         // logged and counted, as Python Faust does
        #endregion
    }
}

// What the named-codecs snippet registers: a user's own codecs.
public sealed record Payment(string Id, decimal Amount);

internal sealed class GzipCodec : ICodec<byte[]>
{
    public byte[]? Encode(byte[] value)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(value);
        }

        return output.ToArray();
    }

    public byte[] Decode(ReadOnlySpan<byte> data)
    {
        using var input = new GZipStream(new MemoryStream(data.ToArray()), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}

// Stands in for an Avro library: it serves every type with Faust's JSON.
internal sealed class AvroCodecProvider : ICodecProvider
{
    public ICodec<T>? Create<T>(CodecRegistry registry) => Codecs.Record<T>(registry.Json);
}
