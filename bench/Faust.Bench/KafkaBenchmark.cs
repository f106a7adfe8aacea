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
/// The click counter on librdkafka's mock cluster (the real Kafka protocol over 127.0.0.1), beside a raw
/// Confluent.Kafka consumer reading the same topic: N click events pre-produced into 8 partitions, then each
/// reader is timed from its first record to its last (the apps: to the last event processed and committed).
/// The mock keeps about 5 MiB per partition, so N stays well under a million.
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
        await PreProduceAsync(cluster.BootstrapServers, events);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pre-produce: {events / produce.Elapsed.TotalSeconds,12:N0} events/s (Faust producer, explicit partitions)"));

        Console.WriteLine($"{"reader",-34} {"start s",8} {"run s",8} {"events/s",12} {"vs raw",7}");
        var raw = MeasureRawConsumer(cluster.BootstrapServers, events);
        Print("raw Confluent consumer", 0, raw, raw);
        var runs = 0;
        foreach (var (name, count) in new[] { ("faust no-op agent", false), ("faust click counter (memory store)", true) })
        {
            var id = $"bench-{++runs}";
            cluster.CreateTopic($"{id}-click_counts-changelog", Partitions);
            cluster.CreateTopic($"{id}-__assignor-__leader", 1);
            cluster.CreateTopic($"{id}-clicks-agent-dlq", Partitions);
            var (startup, seconds) = await MeasureAppAsync(cluster.BootstrapServers, id, count, events);
            Print(name, startup, seconds, raw);
        }

        void Print(string name, double startup, double seconds, double rawSeconds) =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-34} {startup,8:F2} {seconds,8:F2} {events / seconds,12:N0} {rawSeconds / seconds,7:F2}x"));
    }

    private static async Task PreProduceAsync(string bootstrap, int events)
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

    private static async Task<(double Startup, double Seconds)> MeasureAppAsync(string bootstrap, string id, bool count, int events)
    {
        var options = new FaustOptions
        {
            Id = id,
            Broker = "kafka://" + bootstrap,
            WorkerId = "w1",
            TopicPartitions = Partitions,
            CommitInterval = TimeSpan.FromSeconds(1),
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
        await app.DisposeAsync();
        return (startup, watch.Elapsed.TotalSeconds);
    }
}
