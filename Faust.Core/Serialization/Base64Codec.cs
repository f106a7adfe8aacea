using System.Buffers;
using System.Buffers.Text;

namespace Faust.Serialization;

// Faust's binary codec: standard base64 with padding (Python's base64.b64encode), as ASCII bytes.
internal sealed class Base64Codec : ICodec<byte[]>
{
    public static readonly Base64Codec Instance = new();

    public byte[]? Encode(byte[] value)
    {
        if (value is null)
        {
            return null;
        }

        var encoded = new byte[Base64.GetMaxEncodedToUtf8Length(value.Length)];
        Base64.EncodeToUtf8(value, encoded, out _, out var written);
        return written == encoded.Length ? encoded : encoded[..written];
    }

    public byte[] Decode(ReadOnlySpan<byte> data)
    {
        var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(data.Length)];
        var status = Base64.DecodeFromUtf8(data, decoded, out _, out var written);
        if (status != OperationStatus.Done)
        {
            throw new CodecException(typeof(byte[]), "the bytes are not valid base64 (Faust's binary codec).");
        }

        return written == decoded.Length ? decoded : decoded[..written];
    }
}
