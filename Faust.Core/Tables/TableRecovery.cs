using System.Collections.Concurrent;
using System.Diagnostics;
using Faust.Runtime;
using Faust.Stores;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Tables;

// Recovery rebuilds table partitions from their changelogs before the agents see any event of those partitions.
//
// Invariant: for each table partition, read the changelog from the offset after the one the store last applied
// up to the high watermark captured when recovery starts; records written later come from this worker's own
// agents, which are paused until their partition is recovered. A partition number is reported recovered (and its
// sources resume) as soon as every table's changelog partition of that number is done, so a small partition never
// waits for a big one. Progress (percent and ETA) is logged every few seconds.
internal sealed partial class TableRecovery(IReadOnlyList<ITableView> tables, ITransport transport, ILogger logger, TimeProvider time)
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<TopicPartition, PartitionRecovery> _partitions = new();
    private long _total;
    private long _applied;

    /// <summary>Changelog records to apply in the current recovery.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Changelog records applied so far in the current recovery.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    public bool InProgress { get; private set; }

    /// <summary>Each table partition's last recovery (for the dashboard).</summary>
    public IReadOnlyCollection<PartitionRecovery> Partitions => [.. _partitions.Values];

    /// <summary>Test hook: while it returns true for a changelog partition, recovery does not read that partition
    /// (a deterministic stand-in for a slow one).</summary>
    public Func<TopicPartition, bool>? Hold { get; set; }

    /// <summary>Recovers the tables' <paramref name="partitions"/>; <paramref name="partitionRecovered"/> is called on
    /// the recovery thread for each partition number as soon as all of its tables' changelog partitions are done
    /// (tables without a store of that number do not count), in no particular order.</summary>
    public Task RecoverAsync(IReadOnlyCollection<int> partitions, Action<int>? partitionRecovered, CancellationToken ct) =>
        Task.Factory.StartNew(() => Recover(partitions, partitionRecovered, ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Recover(IReadOnlyCollection<int> partitions, Action<int>? partitionRecovered, CancellationToken ct)
    {
        var targets = new Dictionary<TopicPartition, (ITableView Table, long End)>();
        var starts = new List<KeyValuePair<TopicPartition, long>>();
        var pendingPerPartition = new Dictionary<int, int>();
        using var reader = transport.CreateConsumer(groupId: null);
        foreach (var p in partitions)
        {
            pendingPerPartition[p] = 0;
        }

        foreach (var table in tables)
        {
            // A global table's every open partition is recovered, owned or not (see Worker.Following.cs).
            foreach (var p in table.IsGlobal ? Enumerable.Range(0, table.PartitionCount) : partitions)
            {
                var store = table.StoreOf(p);
                if (store is null)
                {
                    continue;
                }

                var tp = new TopicPartition(table.ChangelogTopic, p);
                var marks = reader.GetWatermarks(tp);
                var from = Math.Max(store.AppliedOffset + 1, marks.Low);
                if (store.AppliedOffset >= marks.High)
                {
                    // The store is ahead of its changelog (the topic was recreated): rebuild it (Faust fs#158).
                    LogStoreAhead(logger, table.Name, p, store.AppliedOffset, marks.High);
                    store.Clear();
                    from = marks.Low;
                }

                _partitions[tp] = new PartitionRecovery(table.Name, p, Math.Min(from, marks.High), marks.High);
                if (from < marks.High)
                {
                    targets[tp] = (table, marks.High);
                    starts.Add(new(tp, from));
                    Interlocked.Add(ref _total, marks.High - from);
                    pendingPerPartition[p] = pendingPerPartition.GetValueOrDefault(p) + 1;
                }
            }
        }

        // Partitions with nothing to read resume at once.
        foreach (var (p, pending) in pendingPerPartition)
        {
            if (pending == 0)
            {
                partitionRecovered?.Invoke(p);
            }
        }

        if (targets.Count == 0)
        {
            LogNothingToRecover(logger, partitions.Count);
            NotifyRecovered(partitions);
            return;
        }

        void Finished(TopicPartition tp)
        {
            if (targets.Remove(tp) && --pendingPerPartition[tp.Partition] == 0)
            {
                partitionRecovered?.Invoke(tp.Partition);
            }
        }

        InProgress = true;
        var stopwatch = Stopwatch.StartNew();
        var lastReport = time.GetTimestamp();
        LogRecoveryStarted(logger, Total, targets.Count);
        reader.Assign(starts);
        HashSet<TopicPartition>? held = null;
        if (Hold is { } hold)
        {
            held = [.. targets.Keys.Where(hold)];
            reader.Pause(held);
        }

        var entries = Array.Empty<ChangelogEntry>();
        while (targets.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            if (held is { Count: > 0 } && Hold is { } stillHold)
            {
                var released = held.Where(tp => !stillHold(tp)).ToArray();
                held.ExceptWith(released);
                reader.Resume(released);
            }

            var batch = reader.Poll(TimeSpan.FromMilliseconds(held is { Count: > 0 } ? 20 : 200));
            if (batch is not null && targets.TryGetValue(batch.Partition, out var target))
            {
                if (target.Table.StoreOf(batch.Partition.Partition) is null)
                {
                    // Revoked while recovering (Kafka rebalance): the partition's next owner recovers it.
                    Finished(batch.Partition);
                    reader.Pause([batch.Partition]);
                    continue;
                }

                var count = 0;
                while (count < batch.Count && batch.Records[count].Offset < target.End)
                {
                    count++;
                }

                // One write batch per poll batch, with its last offset: a crash mid-recovery keeps what was applied.
                target.Table.ApplyChangelogBatch(batch.Partition.Partition, ToEntries(batch.Records, count, ref entries));
                Interlocked.Add(ref _applied, count);
                if (_partitions.TryGetValue(batch.Partition, out var progress))
                {
                    progress.Position = Math.Min(batch.NextOffset, target.End);
                }

                if (batch.NextOffset >= target.End)
                {
                    reader.Pause([batch.Partition]);
                    Finished(batch.Partition);
                }
            }

            // Kafka: the last offsets before the high watermark may be transaction markers, never returned as
            // records; the reader's position says the partition has been read to its end.
            List<TopicPartition>? ended = null;
            foreach (var (tp, pending) in targets)
            {
                if (held?.Contains(tp) != true && reader.GetPosition(tp) is { } position && position >= pending.End)
                {
                    (ended ??= []).Add(tp);
                }
            }

            if (ended is not null)
            {
                reader.Pause(ended);
                foreach (var tp in ended)
                {
                    Finished(tp);
                    if (_partitions.TryGetValue(tp, out var done))
                    {
                        done.Position = done.End;
                    }
                }
            }

            if (time.GetElapsedTime(lastReport) >= ProgressEvery)
            {
                lastReport = time.GetTimestamp();
                var done = (double)Applied / Math.Max(1, Total);
                var eta = done > 0 ? TimeSpan.FromSeconds(stopwatch.Elapsed.TotalSeconds * (1 - done) / done) : TimeSpan.Zero;
                LogProgress(logger, done * 100, Applied, Total, eta.TotalSeconds);
            }
        }

        InProgress = false;
        LogRecovered(logger, Applied, stopwatch.Elapsed.TotalSeconds);
        NotifyRecovered(partitions);
    }

    private void NotifyRecovered(IReadOnlyCollection<int> partitions)
    {
        foreach (var table in tables)
        {
            try
            {
                table.OnRecovered(partitions, Applied);
            }
            catch (Exception ex)
            {
                LogCallbackFailed(logger, ex, table.Name);
            }
        }
    }

    // The store's view of a poll batch, in a buffer reused across batches.
    private static ReadOnlySpan<ChangelogEntry> ToEntries(ConsumedRecord[] records, int count, ref ChangelogEntry[] buffer)
    {
        if (buffer.Length < count)
        {
            buffer = new ChangelogEntry[Math.Max(count, buffer.Length * 2)];
        }

        for (var i = 0; i < count; i++)
        {
            var record = records[i];
            buffer[i] = new ChangelogEntry(record.Record.Key, record.Record.Value, record.Offset);
        }

        return buffer.AsSpan(0, count);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A Recovered callback of table {Table} threw; recovery is done regardless.")]
    private static partial void LogCallbackFailed(ILogger logger, Exception ex, string table);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovering {Records} changelog records into {Partitions} table partitions.")]
    private static partial void LogRecoveryStarted(ILogger logger, long records, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovery {Percent:F1}% done ({Applied} of {Total} records), about {EtaSeconds:F0} s to go.")]
    private static partial void LogProgress(ILogger logger, double percent, long applied, long total, double etaSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovery done: {Applied} changelog records applied in {Seconds:F2} s.")]
    private static partial void LogRecovered(ILogger logger, long applied, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tables of {Partitions} partitions are current; nothing to recover.")]
    private static partial void LogNothingToRecover(ILogger logger, int partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Table {Table} partition {Partition} has applied offset {Applied}, beyond the changelog's end {End}; the changelog was recreated, so the partition is rebuilt from it.")]
    private static partial void LogStoreAhead(ILogger logger, string table, int partition, long applied, long end);
}
