using Faust.Transport;

namespace Faust.Core.Tests;

/// <summary>Reads every record of a topic of a running app (from the low to the high watermark of each partition).</summary>
public static class TopicContents
{
    internal static async Task<List<(int Partition, long Offset, TransportRecord Record)>> ReadAsync(FaustApp app, string topic)
    {
        var worker = app.Worker!;
        await app.CommitAsync(); // flushes what agents queued
        using var consumer = worker.Transport.CreateConsumer(null);
        var partitions = worker.Transport.GetPartitionCount(topic) ?? throw new InvalidOperationException($"No topic {topic}.");
        var ends = new Dictionary<int, long>();
        var starts = new List<KeyValuePair<TopicPartition, long>>();
        for (var p = 0; p < partitions; p++)
        {
            var marks = consumer.GetWatermarks(new TopicPartition(topic, p));
            starts.Add(new(new TopicPartition(topic, p), marks.Low));
            if (marks.High > marks.Low)
            {
                ends[p] = marks.High;
            }
        }

        consumer.Assign(starts);
        var records = new List<(int, long, TransportRecord)>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (ends.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out reading {topic}.");
            if (consumer.Poll(TimeSpan.FromMilliseconds(100)) is not { } batch)
            {
                continue;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                records.Add((batch.Partition.Partition, batch.Records[i].Offset, batch.Records[i].Record));
            }

            if (ends.TryGetValue(batch.Partition.Partition, out var end) && batch.NextOffset >= end)
            {
                ends.Remove(batch.Partition.Partition);
            }
        }

        return records;
    }

    internal static string Header(TransportRecord record, string name) =>
        System.Text.Encoding.UTF8.GetString(record.Headers!.Last(h => h.Key == name).Value);
}
