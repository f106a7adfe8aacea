using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Faust.App;
using Faust.Routing;
using Faust.Transport;
using Faust.Transport.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Partitioner = Faust.Routing.Partitioner;
using TopicPartition = Faust.Transport.TopicPartition;

namespace Faust.Bench;

/// <summary>
/// The click counter on librdkafka's mock cluster (the real Kafka protocol over 127.0.0.1): N click events
/// pre-produced into 8 partitions, then read from the start, one reader after the other, by a raw Confluent.Kafka
/// consumer, a Faust no-op agent, the Faust click counter with memory:// and rocksdb:// stores, and the same
/// count-by-key in Streamiz.Kafka.Net with its in-memory and RocksDB stores. Each reader is timed from its first record
/// to its last (Faust: the last event processed and committed; Streamiz: the last record aggregated), and every
/// counter's totals are checked against what was produced. The mock keeps about 5 MiB per partition, so N stays well
/// under a million.
/// </summary>
internal static class KafkaBenchmark
{
    private const int Partitions = 8;
    private const int Urls = 1000;

    public static async Task RunAsync(int events)
    {
        using var cluster = new MockCluster(brokers: 1);
        cluster.SetInitialRebalanceDelay(TimeSpan.Zero);
        cluster.SetControllerId(1);
        cluster.CreateTopic("clicks", Partitions);
        Console.WriteLine($"Faust.NET on Kafka (librdkafka {Library.VersionString} mock cluster at {cluster.BootstrapServers}): {events:N0} pre-produced events, {Partitions} partitions, {Urls} URLs, {Environment.ProcessorCount} cores");

        var produce = Stopwatch.StartNew();
        var expected = await PreProduceAsync(cluster.BootstrapServers, events);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pre-produce: {events / produce.Elapsed.TotalSeconds,12:N0} events/s (Faust producer, explicit partitions)"));

        // Every reader reads the same 'clicks' topic from the start, one after the other, in a group of its own.
        var rows = new List<Row> { new("raw Confluent consumer", null, 0, MeasureRawConsumer(cluster.BootstrapServers, events)) };
        var runs = 0;
        foreach (var (name, count, store) in new[]
        {
            ("faust no-op agent", false, (string?)null),
            ("faust click counter (memory://)", true, "memory"),
            ("faust click counter (rocksdb://)", true, "rocksdb"),
        })
        {
            var id = $"bench-{++runs}";
            cluster.CreateTopic($"{id}-click_counts-changelog", Partitions);
            cluster.CreateTopic($"{id}-__assignor-__leader", 1);
            cluster.CreateTopic($"{id}-clicks-agent-dlq", Partitions);
            var (startup, seconds) = await MeasureAppAsync(cluster.BootstrapServers, id, count, store == "rocksdb", events, count ? expected : null);
            rows.Add(new Row(name, store, startup, seconds));
        }

        foreach (var (name, store) in new[] { ("streamiz 1.8.2 count (in-memory)", "memory"), ("streamiz 1.8.2 count (RocksDB)", "rocksdb") })
        {
            var applicationId = $"bench-streamiz-{store}";
            cluster.CreateTopic(StreamizCounter.Changelog(applicationId, "click_counts"), Partitions);
            var (startup, seconds, counts) = await StreamizCounter.RunAsync(
                cluster.BootstrapServers, applicationId, "clicks", "click_counts", rocksDb: store == "rocksdb", events);
            Check(name, expected, counts);
            rows.Add(new Row(name, store, startup, seconds, Streamiz: true));
        }

        Console.WriteLine();
        Console.WriteLine($"{"reader",-34} {"start s",8} {"run s",8} {"events/s",12} {"vs raw",7} {"vs Streamiz",12}");
        var raw = rows[0].Seconds;
        foreach (var row in rows)
        {
            var streamiz = row.Store is null || row.Streamiz ? null : rows.FirstOrDefault(r => r.Streamiz && r.Store == row.Store);
            var vsStreamiz = streamiz is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{streamiz.Seconds / row.Seconds,11:F2}x");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Name,-34} {row.Startup,8:F2} {row.Seconds,8:F2} {events / row.Seconds,12:N0} {raw / row.Seconds,6:F2}x {vsStreamiz,12}"));
        }

        Console.WriteLine("run s: first record to last (raw: consumed; Faust: processed and committed; Streamiz: aggregated, its commit not awaited).");
        Console.WriteLine("vs Streamiz: against Streamiz with the same kind of store. Every counter's totals were checked against the produced clicks.");
    }

    private sealed record Row(string Name, string? Store, double Startup, double Seconds, bool Streamiz = false);

    private static void Check(string name, IReadOnlyDictionary<string, long> expected, IReadOnlyDictionary<string, long> counts)
    {
        var wrong = expected.Where(e => counts.GetValueOrDefault(e.Key) != e.Value).Take(3).ToList();
        if (wrong.Count > 0 || counts.Count != expected.Count)
        {
            throw new InvalidOperationException($"{name} counted wrong: " + string.Join(", ", wrong.Select(w => $"{w.Key} = {counts.GetValueOrDefault(w.Key)}, expected {w.Value}")) + $" ({counts.Count} keys, expected {expected.Count})");
        }
    }

    private static async Task<Dictionary<string, long>> PreProduceAsync(string bootstrap, int events)
    {
        var options = new FaustOptions { Id = "bench-producer", Broker = "kafka://" + bootstrap, WorkerId = "producer" };
        options.Kafka.Producer["linger.ms"] = "20";
        await using var transport = new KafkaTransport(options, bootstrap, NullLoggerFactory.Instance);
        using var producer = transport.CreateProducer();
        var keys = Enumerable.Range(0, Urls).Select(i => Encoding.UTF8.GetBytes($"https://example.com/page/{i}")).ToArray();
        var partitions = keys.Select(k => Partitioner.Default.PartitionFor(k.AsSpan(), Partitions)).ToArray();
        var one = "1"u8.ToArray();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < events; i++)
        {
            var u = i % Urls;
            producer.Produce(new TopicPartition("clicks", partitions[u]), new TransportRecord(keys[u], one, null, now));
        }

        await producer.FlushAsync();
        var expected = new Dictionary<string, long>();
        for (var i = 0; i < events; i++)
        {
            var url = $"https://example.com/page/{i % Urls}";
            expected[url] = expected.GetValueOrDefault(url) + 1;
        }

        return expected;
    }

    // What a hand-written Confluent consumer loop does at best: Consume, count, no processing, no commits.
    private static double MeasureRawConsumer(string bootstrap, int events)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "bench-raw",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe("clicks");
        var seen = 0;
        Stopwatch? watch = null;
        while (seen < events)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result is null)
            {
                continue;
            }

            watch ??= Stopwatch.StartNew();
            seen++;
        }

        var seconds = watch!.Elapsed.TotalSeconds;
        consumer.Close();
        return seconds;
    }

    private static async Task<(double Startup, double Seconds)> MeasureAppAsync(
        string bootstrap, string id, bool count, bool rocksDb, int events, IReadOnlyDictionary<string, long>? expected)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"faust-bench-{id}-{Guid.NewGuid().ToString("N")[..8]}");
        var options = new FaustOptions
        {
            Id = id,
            Broker = "kafka://" + bootstrap,
            WorkerId = "w1",
            TopicPartitions = Partitions,
            CommitInterval = TimeSpan.FromSeconds(1),
            Store = rocksDb ? "rocksdb://" : "memory://",
            DataDirectory = dataDirectory,
        };
        options.Kafka.Consumer["session.timeout.ms"] = "6000";
        long processed = 0;
        var app = new FaustApp(options);
        var clicks = app.Topic<string, int>("clicks");
        var counts = app.Table<string, long>("click_counts", () => 0L);
        app.Agent(clicks, async (stream, ct) =>
        {
            if (count)
            {
                await foreach (var (url, n) in stream.Items().WithCancellation(ct))
                {
                    counts[url] += n;
                    processed++;
                }
            }
            else
            {
                await foreach (var _ in stream.WithCancellation(ct))
                {
                    processed++;
                }
            }
        });

        var startWatch = Stopwatch.StartNew();
        await app.StartAsync();
        await app.WhenReady;
        while (Volatile.Read(ref processed) == 0)
        {
            await Task.Delay(1);
        }

        var startup = startWatch.Elapsed.TotalSeconds;
        var watch = Stopwatch.StartNew();
        while (Volatile.Read(ref processed) < events)
        {
            await Task.Delay(1);
        }

        await app.CommitAsync();
        watch.Stop();
        if (expected is not null)
        {
            Check(id, expected, counts.Items().ToDictionary(kv => kv.Key, kv => kv.Value));
        }

        await app.DisposeAsync();
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        return (startup, watch.Elapsed.TotalSeconds);
    }
}
