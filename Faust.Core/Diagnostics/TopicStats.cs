namespace Faust.Diagnostics;

// Per-partition counters of one topic. The poll thread is the only writer of Received and Read (plain stores);
// sends come from any thread (interlocked); end and committed offsets are written by the sampler and the commit.
internal sealed class TopicStats
{
    public TopicStats(string name, int partitions)
    {
        Name = name;
        Received = new long[partitions];
        Read = new long[partitions];
        Sent = new long[partitions];
        Committed = new long[partitions];
        Low = new long[partitions];
        High = new long[partitions];
        Array.Fill(Read, -1);
        Array.Fill(Committed, -1);
        Array.Fill(Low, -1);
        Array.Fill(High, -1);
    }

    public string Name { get; }

    public int Partitions => Received.Length;

    /// <summary>Records received by the consumer.</summary>
    public long[] Received { get; }

    /// <summary>The consumer's position: the offset after the last record received, or -1.</summary>
    public long[] Read { get; }

    /// <summary>Records this worker sent to the topic: topic sends and, for changelogs, the records produced.</summary>
    public long[] Sent { get; }

    /// <summary>The group's committed offset as this worker last committed it, or -1.</summary>
    public long[] Committed { get; }

    /// <summary>The last low watermark the sampler learned, or -1 (sampler only).</summary>
    public long[] Low { get; }

    /// <summary>The last high watermark the sampler learned, or -1 (sampler only).</summary>
    public long[] High { get; }
}
