using System.Text;
using Faust.Routing;

namespace Faust.Core.Tests.Routing;

public class PartitionerTests
{
    // Kafka's own test vectors (org.apache.kafka.common.utils.UtilsTest), signed int32 of UTF-8 bytes.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("abc", 479470107)]
    public void Murmur2_Hash_MatchesKafkaJavaClient(string key, int expected)
    {
        Assert.Equal(expected, Murmur2.Hash(Encoding.UTF8.GetBytes(key)));
    }

    [Fact]
    public void Murmur2_Hash_MatchesJavaTransliteration_ForEveryTailLength()
    {
        var random = new Random(1234);
        for (var length = 0; length <= 67; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.True(JavaMurmur2(data) == Murmur2.Hash(data), $"murmur2 differs for a key of {length} bytes.");
        }
    }

    // Partition numbers librdkafka's murmur2_random partitioner produced on the mock cluster (DESIGN.md, decision 2).
    [Theory]
    [InlineData("21", 8, 4)]
    [InlineData("foobar", 8, 6)]
    [InlineData("https://example.com/page/0", 8, 3)]
    [InlineData("https://example.com/page/1", 8, 7)]
    [InlineData("user-42", 8, 4)]
    [InlineData("a", 8, 4)]
    [InlineData("", 8, 1)]
    [InlineData("ünïcødé", 8, 6)]
    [InlineData("21", 3, 0)]
    [InlineData("https://example.com/page/1", 3, 1)]
    [InlineData("ünïcødé", 3, 2)]
    public void PartitionFor_MatchesKafkaDefaultPartitioner(string key, int partitionCount, int expected)
    {
        var bytes = Encoding.UTF8.GetBytes(key);

        Assert.Equal(expected, Partitioner.Default.PartitionFor(bytes.AsSpan(), partitionCount));
        Assert.Equal(expected, Partitioner.Default.PartitionFor(bytes, partitionCount));
    }

    [Fact]
    public void PartitionFor_SpansAndArrays_Agree()
    {
        Assert.Equal(
            Partitioner.Default.PartitionFor("user-42"u8, 12),
            Partitioner.Default.PartitionFor("user-42"u8.ToArray(), 12));
    }

    [Fact]
    public void PartitionFor_EmptyKey_IsHashedNotRandom()
    {
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(1, Partitioner.Default.PartitionFor(Array.Empty<byte>(), 8));
        }
    }

    [Fact]
    public void PartitionFor_NullKey_SpreadsOverPartitions_AndStaysInRange()
    {
        var seen = new HashSet<int>();
        for (var i = 0; i < 200; i++)
        {
            var partition = Partitioner.Default.PartitionFor((byte[]?)null, 8);
            Assert.InRange(partition, 0, 7);
            seen.Add(partition);
        }

        Assert.True(seen.Count > 1, "200 records without a key all went to one partition.");
    }

    [Fact]
    public void PartitionFor_SinglePartition_IsAlwaysZero()
    {
        Assert.Equal(0, Partitioner.Default.PartitionFor("foobar"u8, 1));
        Assert.Equal(0, Partitioner.Default.PartitionFor((byte[]?)null, 1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void PartitionFor_NonPositivePartitionCount_Throws(int partitionCount)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Partitioner.Default.PartitionFor("21"u8, partitionCount));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partitioner.Default.PartitionFor("21"u8.ToArray(), partitionCount));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partitioner.Default.PartitionFor((byte[]?)null, partitionCount));
    }

    [Fact]
    public void Default_IsOneSharedInstance()
    {
        Assert.Same(Partitioner.Default, Partitioner.Default);
    }

    // org.apache.kafka.common.utils.Utils.murmur2, line for line, on signed ints with >>> and fall-through.
    private static int JavaMurmur2(byte[] data)
    {
        var length = data.Length;
        var seed = unchecked((int)0x9747b28c);
        const int m = 0x5bd1e995;
        const int r = 24;

        var h = seed ^ length;
        var length4 = length / 4;

        unchecked
        {
            for (var i = 0; i < length4; i++)
            {
                var i4 = i * 4;
                var k = (data[i4 + 0] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16) + ((data[i4 + 3] & 0xff) << 24);
                k *= m;
                k ^= k >>> r;
                k *= m;
                h *= m;
                h ^= k;
            }

            var tail = length % 4;
            if (tail >= 3)
            {
                h ^= (data[(length & ~3) + 2] & 0xff) << 16;
            }

            if (tail >= 2)
            {
                h ^= (data[(length & ~3) + 1] & 0xff) << 8;
            }

            if (tail >= 1)
            {
                h ^= data[length & ~3] & 0xff;
                h *= m;
            }

            h ^= h >>> 13;
            h *= m;
            h ^= h >>> 15;
        }

        return h;
    }
}
