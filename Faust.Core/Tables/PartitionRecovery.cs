using Faust.Runtime;

namespace Faust.Tables;

/// <summary>The recovery of one table partition: the changelog range it replays and how far it has got.</summary>
/// <remarks>Written by the recovery thread, read by the dashboard.</remarks>
internal sealed class PartitionRecovery(string table, int partition, long start, long end)
{
    private long _position = start;

    public string Table { get; } = table;

    public int Partition { get; } = partition;

    /// <summary>The first changelog offset replayed.</summary>
    public long Start { get; } = start;

    /// <summary>The changelog's high watermark when recovery started: replay stops there.</summary>
    public long End { get; } = end;

    /// <summary>The offset after the last record applied.</summary>
    public long Position
    {
        get => Volatile.Read(ref _position);
        set => Volatile.Write(ref _position, value);
    }

    public long Applied => Position - Start;

    public long Total => End - Start;

    public bool Done => Position >= End;
}
