using System.Buffers.Binary;

namespace Faust.Routing;

// Kafka's partitioning contract is "murmur2 as the Java client computes it". The Java code works on
// signed ints with wrapping multiplication and unsigned right shifts (>>>); the same bits come out of
// unsigned 32-bit arithmetic, so the whole computation runs on uint and is reinterpreted at the end.
// Every producer, table and HTTP router in a deployment (Faust.NET, the Java client, librdkafka's
// murmur2_random) must agree on this value to the bit, or a key's reads and writes land on
// different partitions.

/// <summary>
/// The 32-bit MurmurHash2 variant used by Kafka's Java client (<c>Utils.murmur2</c>) and by librdkafka's
/// <c>murmur2</c> and <c>murmur2_random</c> partitioners.
/// </summary>
/// <remarks>
/// Seed <c>0x9747b28c</c>, multiplier <c>0x5bd1e995</c>, shift 24; the input is read in little-endian
/// 4-byte blocks. The method is pure, allocation-free and safe to call from any thread.
/// </remarks>
public static class Murmur2
{
    private const uint Seed = 0x9747b28c;
    private const uint M = 0x5bd1e995;
    private const int R = 24;

    /// <summary>Hashes <paramref name="data"/> exactly as Kafka's Java client does.</summary>
    /// <param name="data">The bytes to hash, typically a serialized record key.</param>
    /// <returns>
    /// The hash as the signed 32-bit value the Java client returns; for example the UTF-8 bytes of
    /// <c>"21"</c> hash to <c>-973932308</c>.
    /// </returns>
    public static int Hash(ReadOnlySpan<byte> data)
    {
        var length = data.Length;
        var h = Seed ^ (uint)length;

        var blocks = length & ~3;
        for (var i = 0; i < blocks; i += 4)
        {
            var k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i, 4));
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }

        // The Java switch falls through from 3 to 2 to 1.
        switch (length & 3)
        {
            case 3:
                h ^= (uint)data[blocks + 2] << 16;
                h ^= (uint)data[blocks + 1] << 8;
                h ^= data[blocks];
                h *= M;
                break;
            case 2:
                h ^= (uint)data[blocks + 1] << 8;
                h ^= data[blocks];
                h *= M;
                break;
            case 1:
                h ^= data[blocks];
                h *= M;
                break;
        }

        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return unchecked((int)h);
    }
}
