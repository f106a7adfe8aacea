using System.Buffers.Binary;
using System.Text;
using Faust.Transport;
using Faust.Transport.Embedded;

namespace Faust.Core.Tests.Transport;

public sealed class RecordEncodingTests
{
    public static TheoryData<string> Records => new() { "null-everything", "empty", "headers", "unicode", "binary" };

    [Theory]
    [MemberData(nameof(Records))]
    public void Decode_OfEncode_GivesTheSameRecord(string name)
    {
        var record = Sample(name);

        var encoded = RecordEncoding.Encode(record);

        Assert.True(encoded.Length <= RecordEncoding.GetMaxEncodedLength(record));
        AssertSame(record, RecordEncoding.Decode(encoded));
    }

    [Fact]
    public void Encode_HasTheDocumentedLayout()
    {
        var record = new TransportRecord([1, 2], null, [new RecordHeader("é", [9])], 0x0102030405060708);

        var encoded = RecordEncoding.Encode(record);

        byte[] expected =
        [
            RecordEncoding.Format,
            8, 7, 6, 5, 4, 3, 2, 1,     // timestamp, little-endian
            2, 0, 0, 0, 1, 2,           // key
            0xFF, 0xFF, 0xFF, 0xFF,     // null value
            1, 0, 0, 0,                 // one header
            2, 0, 0, 0, 0xC3, 0xA9,     // "é" in UTF-8
            1, 0, 0, 0, 9,              // header value
        ];
        Assert.Equal(expected, encoded);
    }

    [Fact]
    public void Encode_FortyByteRecord_CostsTwentyOneBytesOfFraming()
    {
        var record = new TransportRecord(new byte[10], new byte[30], null, 1);

        Assert.Equal(40 + 21, RecordEncoding.Encode(record).Length);
    }

    [Fact]
    public void Decode_RejectsTruncatedAndCorruptInput()
    {
        var encoded = RecordEncoding.Encode(Sample("headers"));

        for (var length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => RecordEncoding.Decode(encoded.AsSpan(0, length)));
        }

        Assert.Throws<InvalidDataException>(() => RecordEncoding.Decode([.. encoded, 0]));

        var wrongFormat = encoded.ToArray();
        wrongFormat[0] = 99;
        Assert.Throws<InvalidDataException>(() => RecordEncoding.Decode(wrongFormat));

        var hugeKey = encoded.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(hugeKey.AsSpan(9), int.MaxValue);
        Assert.Throws<InvalidDataException>(() => RecordEncoding.Decode(hugeKey));

        var negativeKey = encoded.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(negativeKey.AsSpan(9), -2);
        Assert.Throws<InvalidDataException>(() => RecordEncoding.Decode(negativeKey));
    }

    [Fact]
    public void Decode_CopiesBytes_SoTheSourceMayBeReused()
    {
        var encoded = RecordEncoding.Encode(Sample("binary"));
        var decoded = RecordEncoding.Decode(encoded);

        Array.Clear(encoded);

        AssertSame(Sample("binary"), decoded);
    }

    internal static void AssertSame(TransportRecord expected, TransportRecord actual)
    {
        Assert.Equal(expected.TimestampMs, actual.TimestampMs);
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Value, actual.Value);
        if (expected.Headers is null)
        {
            Assert.Null(actual.Headers);
            return;
        }

        Assert.NotNull(actual.Headers);
        Assert.Equal(expected.Headers.Count, actual.Headers.Count);
        for (var i = 0; i < expected.Headers.Count; i++)
        {
            Assert.Equal(expected.Headers[i].Key, actual.Headers[i].Key);
            Assert.Equal(expected.Headers[i].Value, actual.Headers[i].Value);
        }
    }

    private static TransportRecord Sample(string name) => name switch
    {
        "null-everything" => new TransportRecord(null, null, null, 0),
        "empty" => new TransportRecord([], [], [], long.MinValue),
        "headers" => new TransportRecord(
            Encoding.UTF8.GetBytes("user-42"),
            Encoding.UTF8.GetBytes("{\"n\":1}"),
            [new RecordHeader("Faust-Ag-CorrelationId", Encoding.UTF8.GetBytes("c-1")), new RecordHeader("empty", [])],
            1_700_000_000_123),
        "unicode" => new TransportRecord(
            Encoding.UTF8.GetBytes("ünïcødé"),
            Encoding.UTF8.GetBytes("日本語 ✓ 𝄞"),
            [new RecordHeader("名前", Encoding.UTF8.GetBytes("値"))],
            -1),
        "binary" => new TransportRecord([0, 0, 255], [0, 1, 2, 3, 0], [new RecordHeader("\0", [0])], 42),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
