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
        StallWatchFromMs = new long[partitions];
        StallWatchedCommit = new long[partitions];
        StallReported = new bool[partitions];
        Array.Fill(StallWatchFromMs, -1);
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

    // The stall watch (sampler only): since when an assigned partition has had events waiting at the same committed
    // offset (-1: not watched: unassigned, or nothing waiting), that offset, and whether the stall was logged.
    public long[] StallWatchFromMs { get; }

    public long[] StallWatchedCommit { get; }

    public bool[] StallReported { get; }
}
