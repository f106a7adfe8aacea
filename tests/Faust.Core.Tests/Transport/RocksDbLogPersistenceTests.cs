using System.Text;
using Faust.Transport;
using Faust.Transport.Embedded;
using Faust.Transport.Log;

namespace Faust.Core.Tests.Transport;

public sealed class RocksDbLogPersistenceTests : IDisposable
{
    private readonly string _directory =
        Path.Combine(Path.GetTempPath(), "faust-rocksdb-log-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Open_CreatesMissingDirectory_WithNestedPath()
    {
        var nested = Path.Combine(_directory, "data", "embedded");

        using var log = RocksDbLogPersistence.Open(nested);

        Assert.True(File.Exists(Path.Combine(nested, "CURRENT")));
        Assert.Empty(log.LoadTopics());
        Assert.Empty(log.LoadCommittedOffsets());
        Assert.Equal(0, log.LoadEndOffset(new TopicPartition("clicks", 0)));
    }

    [Fact]
    public void Records_RoundTrip_NullKeyNullValueHeadersAndUnicode_BeforeAndAfterReopen()
    {
        var tp = new TopicPartition("clicks-ünïcødé", 3);
        var records = new[]
        {
            new TransportRecord(null, Utf8("no key"), null, 1_700_000_000_000),
            new TransportRecord(Utf8("tombstone"), null, null, 1),
            new TransportRecord(null, null, [], 0),
            new TransportRecord(
                Utf8("https://example.com/page/0"),
                Utf8("{\"n\":\"ünïcødé ✓ 𝄞\"}"),
                [new RecordHeader("Faust-Ag-ReplyTo", Utf8("f-reply-1")), new RecordHeader("ключ", []), new RecordHeader("", [0, 255])],
                -5),
            new TransportRecord([], [], null, long.MaxValue),
        };

        using (var log = RocksDbLogPersistence.Open(_directory))
        {
            var batch = new LogWriteBatch();
            for (var i = 0; i < records.Length; i++)
            {
                batch.Records.Add((tp, i, records[i]));
            }

            log.Write(batch);
            AssertRecords(records, ReadAll(log, tp));
        }

        using (var log = RocksDbLogPersistence.Open(_directory))
        {
            AssertRecords(records, ReadAll(log, tp));
        }
    }

    [Fact]
    public void EndOffsets_PerPartition_AfterWrites_AndAfterReopen()
    {
        var p0 = new TopicPartition("orders", 0);
        var p1 = new TopicPartition("orders", 1);
        var p2 = new TopicPartition("orders", 2);
        var other = new TopicPartition("orders-changelog", 0);

        using (var log = RocksDbLogPersistence.Open(_directory))
        {
            Write(log, p0, 0, 10);
            Write(log, p1, 0, 3);
            Write(log, other, 0, 7);
            Write(log, p0, 10, 5); // a second batch appends

            Assert.Equal(15, log.LoadEndOffset(p0));
            Assert.Equal(3, log.LoadEndOffset(p1));
            Assert.Equal(0, log.LoadEndOffset(p2));
            Assert.Equal(7, log.LoadEndOffset(other));
            Assert.Equal(0, log.LoadEndOffset(new TopicPartition("order", 0)));
        }

        using (var log = RocksDbLogPersistence.Open(_directory))
        {
            Assert.Equal(15, log.LoadEndOffset(p0));
            Assert.Equal(3, log.LoadEndOffset(p1));
            Assert.Equal(0, log.LoadEndOffset(p2));
            Assert.Equal(7, log.LoadEndOffset(other));
        }
    }

    [Fact]
    public void EndOffset_UsesBigEndianOrder_PastByteBoundaries()
    {
        // Offsets 255 -> 256 and 65535 -> 65536 change the high byte: little-endian keys would sort them wrong.
        var tp = new TopicPartition("t", 0);
        using var log = RocksDbLogPersistence.Open(_directory);
        var batch = new LogWriteBatch();
        foreach (var offset in new long[] { 65_536, 255, 256, 65_535, 1L << 40 })
        {
            batch.Records.Add((tp, offset, Record(offset)));
        }

        log.Write(batch);

        Assert.Equal((1L << 40) + 1, log.LoadEndOffset(tp));
        Assert.Equal([255L, 256, 65_535, 65_536, 1L << 40], ReadAll(log, tp).Select(r => r.Offset));
    }

    [Fact]
    public void CommittedOffsets_SurviveReopen_LatestCommitWins()
    {
        using (var log = RocksDbLogPersistence.Open(_directory))
        {
            var first = new LogWriteBatch();
            first.CommittedOffsets.Add(("app", new TopicPartition("clicks", 0), 10));
            first.CommittedOffsets.Add(("app", new TopicPartition("clicks", 1), 4));
            first.CommittedOffsets.Add(("grüppe 2", new TopicPartition("clicks", 0), 99));
            log.Write(first);

            var second = new LogWriteBatch();
            second.CommittedOffsets.Add(("app", new TopicPartition("clicks", 0), 42));
            log.Write(second);
        }

        using (var log = RocksDbLogPersistence.Open(_directory))
        {
            var offsets = log.LoadCommittedOffsets()
                .OrderBy(o => o.Group, StringComparer.Ordinal)
                .ThenBy(o => o.Partition.Partition)
                .ToList();

            Assert.Equal(
                [
                    ("app", new TopicPartition("clicks", 0), 42L),
                    ("app", new TopicPartition("clicks", 1), 4L),
                    ("grüppe 2", new TopicPartition("clicks", 0), 99L),
                ],
                offsets);
        }
    }

    [Fact]
    public void Topics_SurviveReopen_WithFlags()
    {
        using (var log = RocksDbLogPersistence.Open(_directory))
        {
            var batch = new LogWriteBatch();
            batch.Topics.Add(new TopicSpec("clicks", 8));
            batch.Topics.Add(new TopicSpec("app-click_counts-changelog", 8, Compacted: true, Internal: true));
            batch.Topics.Add(new TopicSpec("app-agent-clicks-url-repartition", 4, Compacted: false, Internal: true));
            log.Write(batch);
        }

        using (var log = RocksDbLogPersistence.Open(_directory))
        {
            var topics = log.LoadTopics().OrderBy(t => t.Name, StringComparer.Ordinal).ToList();

            Assert.Equal(
                [
                    new TopicSpec("app-agent-clicks-url-repartition", 4, Compacted: false, Internal: true),
                    new TopicSpec("app-click_counts-changelog", 8, Compacted: true, Internal: true),
                    new TopicSpec("clicks", 8),
                ],
                topics);
        }
    }

    [Fact]
    public void Read_HonoursFromOffsetEndOffsetAndMax()
    {
        var tp = new TopicPartition("events", 0);
        using var log = RocksDbLogPersistence.Open(_directory);
        Write(log, tp, 0, 100);

        Assert.Equal([20L, 21, 22, 23, 24], ReadOffsets(log, tp, 20, 25, 100));
        Assert.Equal([20L, 21, 22], ReadOffsets(log, tp, 20, 25, 3));
        Assert.Equal([97L, 98, 99], ReadOffsets(log, tp, 97, long.MaxValue, 100));
        Assert.Equal([0L, 1], ReadOffsets(log, tp, -10, 2, 100));
        Assert.Empty(ReadOffsets(log, tp, 100, long.MaxValue, 100));
        Assert.Empty(ReadOffsets(log, tp, 30, 30, 100));
        Assert.Empty(ReadOffsets(log, tp, 30, 40, 0));

        // Read appends to the list it is given and returns only its own count.
        var into = new List<ConsumedRecord> { new(-1, Record(-1)) };
        Assert.Equal(2, log.Read(tp, 50, 52, 10, into));
        Assert.Equal([-1L, 50, 51], into.Select(r => r.Offset));
        Assert.Equal(Utf8("value-50"), into[1].Record.Value);
    }

    [Fact]
    public void Read_StartsAtNextStoredOffset_WhenFromOffsetIsAHole()
    {
        var tp = new TopicPartition("compacted", 0);
        using var log = RocksDbLogPersistence.Open(_directory);
        var batch = new LogWriteBatch();
        foreach (var offset in new long[] { 2, 5, 9 })
        {
            batch.Records.Add((tp, offset, Record(offset)));
        }

        log.Write(batch);

        Assert.Equal([5L, 9], ReadOffsets(log, tp, 3, 100, 10));
        Assert.Equal(10, log.LoadEndOffset(tp));
    }

    [Fact]
    public void Read_DoesNotCrossIntoAnotherPartitionOrTopic_EvenWhenOneNameIsAPrefixOfTheOther()
    {
        var a0 = new TopicPartition("a", 0);
        var a1 = new TopicPartition("a", 1);
        var ab0 = new TopicPartition("ab", 0);
        var a2 = new TopicPartition("a", 2);
        using var log = RocksDbLogPersistence.Open(_directory);
        Write(log, a0, 0, 3);
        Write(log, a1, 0, 2);
        Write(log, ab0, 0, 4);

        var fromA0 = ReadAll(log, a0);
        Assert.Equal([0L, 1, 2], fromA0.Select(r => r.Offset));
        Assert.All(fromA0, r => Assert.Equal("a[0]", Encoding.UTF8.GetString(r.Record.Key!)));

        var fromA1 = ReadAll(log, a1);
        Assert.Equal([0L, 1], fromA1.Select(r => r.Offset));
        Assert.All(fromA1, r => Assert.Equal("a[1]", Encoding.UTF8.GetString(r.Record.Key!)));

        var fromAb0 = ReadAll(log, ab0);
        Assert.Equal([0L, 1, 2, 3], fromAb0.Select(r => r.Offset));
        Assert.All(fromAb0, r => Assert.Equal("ab[0]", Encoding.UTF8.GetString(r.Record.Key!)));

        // Nothing stored for "a"[2]: its key range sits between "a"[1] and "ab"[0] and must stay empty.
        Assert.Empty(ReadAll(log, a2));
        Assert.Equal(0, log.LoadEndOffset(a2));
        Assert.Empty(ReadAll(log, new TopicPartition("", 0)));
        Assert.Equal(3, log.LoadEndOffset(a0));
        Assert.Equal(2, log.LoadEndOffset(a1));
        Assert.Equal(4, log.LoadEndOffset(ab0));
    }

    [Fact]
    public void MixedBatch_OfTopicsRecordsAndOffsets_IsVisibleAfterReopen()
    {
        var tp = new TopicPartition("app-counts-changelog", 1);
        var source = new TopicPartition("clicks", 1);
        using (var log = RocksDbLogPersistence.Open(_directory))
        {
            var batch = new LogWriteBatch();
            batch.Topics.Add(new TopicSpec(tp.Topic, 2, Compacted: true, Internal: true));
            batch.Records.Add((tp, 0, new TransportRecord(Utf8("k"), Utf8("1"), null, 10)));
            batch.Records.Add((tp, 1, new TransportRecord(Utf8("k"), Utf8("2"), null, 11)));
            batch.CommittedOffsets.Add(("app", source, 17));
            log.Write(batch);

            // The same batch object is reused by the broker after Clear; an empty batch is a no-op.
            batch.Clear();
            log.Write(batch);
        }

        using (var log = RocksDbLogPersistence.Open(_directory))
        {
            Assert.Equal([new TopicSpec(tp.Topic, 2, Compacted: true, Internal: true)], log.LoadTopics());
            Assert.Equal([("app", source, 17L)], log.LoadCommittedOffsets());
            Assert.Equal(2, log.LoadEndOffset(tp));
            Assert.Equal(["1", "2"], ReadAll(log, tp).Select(r => Encoding.UTF8.GetString(r.Record.Value!)));
        }
    }

    [Fact]
    public void Write_WithABadRecord_WritesNothingOfTheBatch()
    {
        var tp = new TopicPartition("t", 0);
        using var log = RocksDbLogPersistence.Open(_directory);
        var batch = new LogWriteBatch();
        batch.CommittedOffsets.Add(("app", tp, 1));
        batch.Records.Add((tp, 0, Record(0)));
        batch.Records.Add((new TopicPartition("bad\0topic", 0), 0, Record(0)));

        Assert.Throws<ArgumentException>(() => log.Write(batch));

        Assert.Equal(0, log.LoadEndOffset(tp));
        Assert.Empty(log.LoadCommittedOffsets());

        // The writer is still usable: the failed batch did not leak into the next one.
        batch.Clear();
        batch.Records.Add((tp, 0, Record(0)));
        log.Write(batch);
        Assert.Equal(1, log.LoadEndOffset(tp));
        Assert.Empty(log.LoadCommittedOffsets());
    }

    [Fact]
    public void Write_LargeRecords_GrowTheReusedBuffers()
    {
        var tp = new TopicPartition(new string('t', 600), 0); // longer than the stack key buffer
        var big = new byte[1 << 20];
        Random.Shared.NextBytes(big);
        using var log = RocksDbLogPersistence.Open(_directory);
        var batch = new LogWriteBatch();
        batch.Records.Add((tp, 0, new TransportRecord(Utf8("small"), Utf8("v"), null, 1)));
        batch.Records.Add((tp, 1, new TransportRecord(big, big, [new RecordHeader(new string('h', 3000), big)], 2)));
        batch.Records.Add((tp, 2, new TransportRecord(Utf8("small"), Utf8("v"), null, 3)));
        log.Write(batch);

        var read = ReadAll(log, tp);
        Assert.Equal(3, read.Count);
        Assert.Equal(big, read[1].Record.Value);
        Assert.Equal(big, read[1].Record.Headers![0].Value);
        Assert.Equal(Utf8("v"), read[2].Record.Value);
        Assert.Equal(3, log.LoadEndOffset(tp));
    }

    [Fact]
    public void Open_TwiceInOneProcess_ThrowsClearInvalidOperationException()
    {
        using var first = RocksDbLogPersistence.Open(_directory);

        var error = Assert.Throws<InvalidOperationException>(() => RocksDbLogPersistence.Open(_directory));

        Assert.Contains($"embedded broker directory '{Path.GetFullPath(_directory)}' is in use by another process", error.Message);
        Assert.Contains("One process owns an embedded directory", error.Message);
        Assert.Contains("Faust:DataDirectory", error.Message);
        Assert.Contains("kafka://", error.Message);

        // The first owner is unaffected.
        Write(first, new TopicPartition("t", 0), 0, 1);
        Assert.Equal(1, first.LoadEndOffset(new TopicPartition("t", 0)));
    }

    [Fact]
    public void Open_AfterOwnerDisposed_Succeeds()
    {
        RocksDbLogPersistence.Open(_directory).Dispose();

        using var second = RocksDbLogPersistence.Open(_directory);

        Assert.Empty(second.LoadTopics());
    }

    [Theory]
    // Messages RocksDB 11.12 gives on Linux, captured from two real processes and from a second open in one process.
    [InlineData("IO error: While lock file: /data/embedded/LOCK: Resource temporarily unavailable", true, false)]
    [InlineData("IO error: lock hold by current process, acquire time 1795980081 acquiring thread 3534: /data/embedded/LOCK: No locks available", true, true)]
    [InlineData("IO error: While open a file for lock: /data/embedded/LOCK: Permission denied", false, false)]
    [InlineData("Corruption: bad record length", false, false)]
    public void IsLockHeld_RecognisesRocksDbLockErrors(string message, bool held, bool inThisProcess)
    {
        Assert.Equal(held, RocksDbLogPersistence.IsLockHeld(message, out var sameProcess));
        Assert.Equal(inThisProcess, sameProcess);
    }

    [Fact]
    public void Dispose_IsIdempotent_AndLaterCallsThrowObjectDisposed()
    {
        var log = RocksDbLogPersistence.Open(_directory);
        log.Dispose();
        log.Dispose();

        Assert.Throws<ObjectDisposedException>(() => log.LoadTopics());
        Assert.Throws<ObjectDisposedException>(() => log.Write(new LogWriteBatch()));
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static TransportRecord Record(long offset) =>
        new(Utf8($"key-{offset}"), Utf8($"value-{offset}"), null, offset);

    private static void Write(RocksDbLogPersistence log, TopicPartition tp, long fromOffset, int count)
    {
        var batch = new LogWriteBatch();
        for (var offset = fromOffset; offset < fromOffset + count; offset++)
        {
            batch.Records.Add((tp, offset, new TransportRecord(Utf8(tp.ToString()), Utf8($"value-{offset}"), null, offset)));
        }

        log.Write(batch);
    }

    private static List<ConsumedRecord> ReadAll(RocksDbLogPersistence log, TopicPartition tp)
    {
        var into = new List<ConsumedRecord>();
        var read = log.Read(tp, 0, long.MaxValue, int.MaxValue, into);
        Assert.Equal(into.Count, read);
        return into;
    }

    private static List<long> ReadOffsets(RocksDbLogPersistence log, TopicPartition tp, long from, long end, int max)
    {
        var into = new List<ConsumedRecord>();
        var read = log.Read(tp, from, end, max, into);
        Assert.Equal(into.Count, read);
        return into.Select(r => r.Offset).ToList();
    }

    private static void AssertRecords(IReadOnlyList<TransportRecord> expected, List<ConsumedRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(i, actual[i].Offset);
            RecordEncodingTests.AssertSame(expected[i], actual[i].Record);
        }
    }
}
