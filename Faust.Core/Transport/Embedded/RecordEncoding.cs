using System.Buffers.Binary;
using System.Text;

namespace Faust.Transport.Embedded;

// The on-disk value of one log record. Little-endian, fixed-width lengths, so decoding is a straight walk:
//
//   byte    format (1)
//   int64   timestamp (ms since the Unix epoch)
//   int32   key length, -1 for a null key, then the key bytes
//   int32   value length, -1 for a null value (a tombstone), then the value bytes
//   int32   header count, -1 for null headers (kept apart from an empty list so a record round-trips exactly)
//   per header: int32 name length + UTF-8 name, int32 value length + value bytes
//
// The format byte costs one byte per record and lets a later version change the layout without guessing.
internal static class RecordEncoding
{
    public const byte Format = 1;

    private const int FixedLength = 1 + 8 + 4 + 4 + 4;

    // An upper bound of the encoded length; cheap (no UTF-8 counting), so callers size a buffer with it.
    public static int GetMaxEncodedLength(TransportRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        long length = FixedLength + (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0);
        var headers = record.Headers;
        if (headers is not null)
        {
            for (var i = 0; i < headers.Count; i++)
            {
                var header = headers[i];
                length += 8L + Encoding.UTF8.GetMaxByteCount(header.Key?.Length ?? 0) + (header.Value?.Length ?? 0);
            }
        }

        return length <= Array.MaxLength
            ? (int)length
            : throw new ArgumentException("The record is too large to encode.", nameof(record));
    }

    // Encodes into destination (at least GetMaxEncodedLength bytes) and returns the number of bytes written.
    public static int Encode(TransportRecord record, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(record);
        destination[0] = Format;
        BinaryPrimitives.WriteInt64LittleEndian(destination[1..], record.TimestampMs);
        var position = 9;
        position += WriteBytes(record.Key, destination[position..]);
        position += WriteBytes(record.Value, destination[position..]);

        var headers = record.Headers;
        BinaryPrimitives.WriteInt32LittleEndian(destination[position..], headers?.Count ?? -1);
        position += 4;
        if (headers is not null)
        {
            for (var i = 0; i < headers.Count; i++)
            {
                var header = headers[i];
                var name = header.Key ?? string.Empty;
                var nameLength = Encoding.UTF8.GetBytes(name, destination[(position + 4)..]);
                BinaryPrimitives.WriteInt32LittleEndian(destination[position..], nameLength);
                position += 4 + nameLength;
                // RecordHeader.Value is non-nullable; a null slipping through is stored as empty, not as a crash.
                position += WriteBytes(header.Value ?? [], destination[position..]);
            }
        }

        return position;
    }

    public static byte[] Encode(TransportRecord record)
    {
        var buffer = new byte[GetMaxEncodedLength(record)];
        var length = Encode(record, buffer);
        return buffer.AsSpan(0, length).ToArray();
    }

    // The result owns copies of the bytes, so source may point into memory that RocksDB reuses afterwards.
    public static TransportRecord Decode(ReadOnlySpan<byte> source)
    {
        if (source.Length < FixedLength)
        {
            throw Corrupt("it is shorter than the fixed part");
        }

        if (source[0] != Format)
        {
            throw Corrupt($"its format byte is {source[0]}, expected {Format}");
        }

        var timestamp = BinaryPrimitives.ReadInt64LittleEndian(source[1..]);
        var position = 9;
        var key = ReadBytes(source, ref position);
        var value = ReadBytes(source, ref position);
        var headerCount = ReadInt32(source, ref position);

        List<RecordHeader>? headers = null;
        if (headerCount >= 0)
        {
            // Each header takes at least 8 bytes: refuse a count the remaining bytes cannot hold before allocating.
            if (headerCount > (source.Length - position) / 8)
            {
                throw Corrupt($"it claims {headerCount} headers");
            }

            headers = new List<RecordHeader>(headerCount);
            for (var i = 0; i < headerCount; i++)
            {
                var nameLength = ReadInt32(source, ref position);
                if (nameLength < 0 || nameLength > source.Length - position)
                {
                    throw Corrupt("a header name runs past its end");
                }

                var name = Encoding.UTF8.GetString(source.Slice(position, nameLength));
                position += nameLength;
                headers.Add(new RecordHeader(name, ReadBytes(source, ref position) ?? []));
            }
        }
        else if (headerCount != -1)
        {
            throw Corrupt($"its header count is {headerCount}");
        }

        if (position != source.Length)
        {
            throw Corrupt($"{source.Length - position} bytes follow the last field");
        }

        return new TransportRecord(key, value, headers, timestamp);
    }

    private static int WriteBytes(byte[]? bytes, Span<byte> destination)
    {
        if (bytes is null)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination, -1);
            return 4;
        }

        BinaryPrimitives.WriteInt32LittleEndian(destination, bytes.Length);
        bytes.CopyTo(destination[4..]);
        return 4 + bytes.Length;
    }

    private static byte[]? ReadBytes(ReadOnlySpan<byte> source, ref int position)
    {
        var length = ReadInt32(source, ref position);
        if (length == -1)
        {
            return null;
        }

        if (length < 0 || length > source.Length - position)
        {
            throw Corrupt($"a length of {length} runs past its end");
        }

        var bytes = source.Slice(position, length).ToArray();
        position += length;
        return bytes;
    }

    private static int ReadInt32(ReadOnlySpan<byte> source, ref int position)
    {
        if (source.Length - position < 4)
        {
            throw Corrupt("it ends inside a length field");
        }

        var value = BinaryPrimitives.ReadInt32LittleEndian(source[position..]);
        position += 4;
        return value;
    }

    private static InvalidDataException Corrupt(string why) =>
        new($"A stored log record cannot be decoded: {why}. The embedded broker's data is corrupt or was written by a newer version.");
}
