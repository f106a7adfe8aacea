namespace Faust.Routing;

// Invariant: a key maps to one partition number no matter who asks. Producers choose the partition of
// every record they send, a table writes its changelog to the partition of the event being processed,
// and the HTTP router sends a table lookup to the worker that owns the key's partition. If any two of
// them disagreed, a table read would miss the value the agent wrote. So all three use this one object,
// and it computes exactly what Kafka's default partitioner (Java client) and librdkafka's
// murmur2_random compute, which lets Faust.NET share topics with producers written in other languages.

/// <summary>
/// Maps serialized record keys to partition numbers the way Kafka's default partitioner does:
/// <c>(murmur2(keyBytes) &amp; 0x7fffffff) % partitionCount</c>.
/// </summary>
/// <remarks>
/// <para>
/// The result matches the Java client's default partitioner and librdkafka's <c>murmur2_random</c>
/// partitioner (Confluent.Kafka's <c>Partitioner.Murmur2Random</c>) for every non-null key, so records
/// produced by Faust.NET, by other Kafka clients and by Faust.NET tables and its HTTP router all agree on
/// where a key lives. The hash is taken over the key's serialized bytes; with the default codecs a
/// <see cref="string"/> key is its raw UTF-8 bytes, both in topics and in tables.
/// </para>
/// <para>
/// A <see langword="null"/> key (no key at all) is spread over the partitions at random, as
/// <c>murmur2_random</c> does; an empty key is a key and is hashed.
/// </para>
/// <para>The instance is immutable and safe to use from any number of threads.</para>
/// </remarks>
public sealed class Partitioner
{
    private Partitioner()
    {
    }

    /// <summary>The partitioner shared by producers, tables and the HTTP router.</summary>
    public static Partitioner Default { get; } = new();

    /// <summary>Returns the partition of a key: the Kafka murmur2 hash, positive-masked, modulo the partition count.</summary>
    /// <param name="keyBytes">The serialized key. An empty span is an empty key and is hashed.</param>
    /// <param name="partitionCount">The number of partitions of the topic; must be positive.</param>
    /// <returns>A partition number in <c>[0, partitionCount)</c>; the same for the same bytes and count.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partitionCount"/> is zero or negative.</exception>
    public int PartitionFor(ReadOnlySpan<byte> keyBytes, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        return (Murmur2.Hash(keyBytes) & 0x7fffffff) % partitionCount;
    }

    /// <summary>
    /// Returns the partition of a key, or a random partition when there is no key, as librdkafka's
    /// <c>murmur2_random</c> partitioner does.
    /// </summary>
    /// <param name="keyBytes">
    /// The serialized key, or <see langword="null"/> for a record without a key (spread at random with
    /// <see cref="Random.Shared"/>). An empty array is an empty key and is hashed.
    /// </param>
    /// <param name="partitionCount">The number of partitions of the topic; must be positive.</param>
    /// <returns>A partition number in <c>[0, partitionCount)</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partitionCount"/> is zero or negative.</exception>
    public int PartitionFor(byte[]? keyBytes, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        return keyBytes is null
            ? Random.Shared.Next(partitionCount)
            : (Murmur2.Hash(keyBytes) & 0x7fffffff) % partitionCount;
    }
}
