using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Faust.App;
using Faust.Routing;
using Faust.Transport;
using Faust.Transport.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Partitioner = Faust.Routing.Partitioner;
using TopicPartition = Faust.Transport.TopicPartition;

namespace Faust.Bench;

/// <summary>
/// The click counter on librdkafka's mock cluster (the real Kafka protocol over 127.0.0.1): N click events
/// pre-produced into 8 partitions, then read from the start, one reader after the other, by a raw Confluent.Kafka
/// consumer (with Faust.NET's fetch.queue.backoff.ms and with librdkafka's defaults), a Faust no-op agent, the Faust click counter with memory:// and rocksdb:// stores, and the same
/// count-by-key in Streamiz.Kafka.Net with its in-memory and RocksDB stores, its record cache off and on. Each reader
/// is timed from its first record to its last (Faust: the last event processed and committed; Streamiz: the last
/// record aggregated), every counter's totals are checked against what was produced, and the whole sequence runs
/// several rounds, reporting each reader's best. The mock keeps a bounded log per partition (about 1M of these events in
/// all; the run stops if it dropped any), so N defaults to 800,000: each reader then runs about a second.
/// </summary>
internal static class KafkaBenchmark
{
    private const int Partitions = BenchApp.Partitions;
    private const int Urls = BenchApp.Urls;

    public static async Task RunAsync(int events, int rounds, string? only = null, bool log = false)
    {
        var loggerFactory = BenchLog.Create(log);
        using var cluster = new MockCluster(brokers: 1);
        cluster.SetInitialRebalanceDelay(TimeSpan.Zero);
        cluster.SetControllerId(1);
        cluster.CreateTopic("clicks", Partitions);
        Console.WriteLine($"Faust.NET on Kafka (librdkafka {Library.VersionString} mock cluster at {cluster.BootstrapServers}): {events:N0} pre-produced events, {Partitions} partitions, {Urls} URLs, {Environment.ProcessorCount} cores, {rounds} rounds");

        var produce = Stopwatch.StartNew();
        var expected = await PreProduceAsync(cluster.BootstrapServers, events);
        CheckSourceHolds(cluster.BootstrapServers, events);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pre-produce: {events / produce.Elapsed.TotalSeconds,12:N0} events/s (Faust producer, explicit partitions)"));

        // Every reader reads the same 'clicks' topic from the start, one after the other, in a group of its own; the
        // rounds repeat the whole sequence, so load from outside the benchmark falls on every reader alike.
        var every = new Reader[]
        {
            new("raw Confluent consumer", null, Kind.Raw),
            new("raw Confluent consumer (defaults)", null, Kind.Raw, Cache: false, LibrdkafkaDefaults: true),
            new("faust no-op agent", null, Kind.FaustNoOp),
            new("faust click counter (memory://)", "memory", Kind.Faust),
            new("faust click counter (rocksdb://)", "rocksdb", Kind.Faust),
            new("streamiz 1.8.2 (in-memory)", "memory", Kind.Streamiz),
            new("streamiz 1.8.2 (RocksDB)", "rocksdb", Kind.Streamiz),
            new("streamiz 1.8.2 (in-memory, cache)", "memory", Kind.Streamiz, Cache: true),
            new("streamiz 1.8.2 (RocksDB, cache)", "rocksdb", Kind.Streamiz, Cache: true),
        };
        // --readers picks readers by part of their name (profiling one of them); the ratios need the readers they compare.
        var filters = only?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var readers = filters is null ? every : Array.FindAll(every, r => Array.Exists(filters, f => r.Name.Contains(f, StringComparison.OrdinalIgnoreCase)));
        var results = readers.ToDictionary(r => r, _ => new List<(double Startup, double Seconds, double Cpu)>());
        for (var round = 1; round <= rounds; round++)
        {
            for (var i = 0; i < readers.Length; i++)
            {
                var reader = readers[i];
                var id = $"bench-r{round}-{i}";
                (double Startup, double Seconds, double Cpu) result;
                switch (reader.Kind)
                {
                    case Kind.Raw:
                        result = MeasureRawConsumer(cluster.BootstrapServers, id, events, reader.LibrdkafkaDefaults);
                        break;
                    case Kind.Streamiz:
                        cluster.CreateTopic(StreamizCounter.Changelog(id, "click_counts"), Partitions);
                        var (startup, seconds, cpu, counts) = await StreamizCounter.RunAsync(
                            cluster.BootstrapServers, id, "clicks", "click_counts", rocksDb: reader.Store == "rocksdb", reader.Cache, events);
                        Check(reader.Name, expected, counts);
                        result = (startup, seconds, cpu);
                        break;
                    default:
                        cluster.CreateTopic($"{id}-click_counts-changelog", Partitions);
                        cluster.CreateTopic($"{id}-__assignor-__leader", 1);
                        cluster.CreateTopic($"{id}-__assignor", 1);
                        cluster.CreateTopic($"{id}-clicks-agent-dlq", Partitions);
                        var count = reader.Kind == Kind.Faust;
                        result = await MeasureAppAsync(cluster.BootstrapServers, id, count, reader.Store == "rocksdb", events, count ? expected : null, loggerFactory);
                        break;
                }

                results[reader].Add(result);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: {reader.Name,-34} {events / result.Seconds,10:N0} events/s {result.Cpu * 1e6 / events,6:F2} CPU µs/event"));
            }
        }

        // The best round of each reader: the one least disturbed by whatever else ran on the machine.
        double Best(Reader reader) => results[reader].Min(r => r.Seconds);
        Console.WriteLine();
        Console.WriteLine($"{"reader (best of " + rounds + ")",-34} {"start s",8} {"run s",8} {"events/s",10} {"vs raw",7} {"vs Streamiz",12} {"vs cached",10} {"CPU µs/ev",10}   all rounds, k events/s");
        double? raw = readers.Length > 0 && readers[0] is { Kind: Kind.Raw, LibrdkafkaDefaults: false } ? Best(readers[0]) : null;
        foreach (var reader in readers)
        {
            var best = results[reader].MinBy(r => r.Seconds);
            var all = string.Join(" ", results[reader].Select(r => (events / r.Seconds / 1000).ToString("F0", CultureInfo.InvariantCulture)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{reader.Name,-34} {best.Startup,8:F2} {best.Seconds,8:F2} {events / best.Seconds,10:N0} {(raw is { } r ? (r / best.Seconds).ToString("F2", CultureInfo.InvariantCulture) + "x" : ""),7} {Versus(reader, cache: false),12} {Versus(reader, cache: true),10} {best.Cpu * 1e6 / events,10:F2}   {all}"));
        }

        Console.WriteLine("run s: first record to last (raw: consumed; Faust: processed and committed; Streamiz: aggregated, its commit not awaited).");
        Console.WriteLine($"vs raw: against the raw consumer with Faust.NET's fetch.queue.backoff.ms ({KafkaSettings.FetchQueueBackoffMs} ms), as Streamiz also runs here; '(defaults)' keeps librdkafka's 1000 ms.");
        Console.WriteLine("CPU µs/ev: CPU time of the whole process (the mock cluster's threads included) over the best round, per event.");
        Console.WriteLine("vs Streamiz / vs cached: against Streamiz with the same kind of store, its record cache off (its default) / on (as Faust's");
        Console.WriteLine($"changelog buffer is, Faust:ChangelogBufferSize {new FaustOptions().ChangelogBufferSize}). Every counter's totals were checked against the produced clicks.");

        string Versus(Reader reader, bool cache)
        {
            var streamiz = reader.Kind != Kind.Faust ? null : readers.FirstOrDefault(r => r.Kind == Kind.Streamiz && r.Store == reader.Store && r.Cache == cache);
            return streamiz is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{Best(streamiz) / Best(reader):F2}x");
        }
    }

    private enum Kind
    {
        Raw,
        FaustNoOp,
        Faust,
        Streamiz,
    }

    // LibrdkafkaDefaults: the raw reader with librdkafka's defaults, where fetch.queue.backoff.ms (1000 ms) stalls it
    // (see KafkaSettings); every other reader, Streamiz included, fetches with Faust.NET's value.
    private sealed record Reader(string Name, string? Store, Kind Kind, bool Cache = false, bool LibrdkafkaDefaults = false);

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
        await using var transport = TransportFactory.CreateKafka(options, bootstrap, NullLoggerFactory.Instance);
        using var producer = transport.CreateProducer();
        return await BenchApp.PreProduceAsync(producer, events);
    }

    // A counter's totals check can fail because the source holds more than was produced (a producer retry the mock
    // cluster took twice) or because a reader processed records twice; this tells the two apart.
    private static void CheckSourceHolds(string bootstrap, int events)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "bench-source-check" }).Build();
        long held = 0;
        long dropped = 0;
        for (var p = 0; p < Partitions; p++)
        {
            var marks = consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition("clicks", p), TimeSpan.FromSeconds(10));
            held += marks.High.Value;
            dropped += marks.Low.Value;
        }

        if (held != events)
        {
            throw new InvalidOperationException($"The 'clicks' topic holds {held:N0} records after {events:N0} were produced: the source itself is off, not a reader.");
        }

        if (dropped != 0)
        {
            // The mock cluster keeps a bounded log per partition and drops the oldest records past it.
            throw new InvalidOperationException($"The mock cluster dropped the oldest {dropped:N0} of {events:N0} records (it keeps a bounded log per partition): use fewer --events.");
        }
    }

    // What a hand-written Confluent consumer loop does at best: Consume, count, no processing, no commits.
    private static (double Startup, double Seconds, double Cpu) MeasureRawConsumer(string bootstrap, string group, int events, bool librdkafkaDefaults)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        if (!librdkafkaDefaults)
        {
            config.FetchQueueBackoffMs = int.Parse(KafkaSettings.FetchQueueBackoffMs, CultureInfo.InvariantCulture);
        }

        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        consumer.Subscribe("clicks");
        var seen = 0;
        Stopwatch? watch = null;
        var cpuBefore = TimeSpan.Zero;
        while (seen < events)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result is null)
            {
                continue;
            }

            if (watch is null)
            {
                cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                watch = Stopwatch.StartNew();
            }

            seen++;
        }

        var seconds = watch!.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        consumer.Close();
        return (0, seconds, cpu);
    }

    private static async Task<(double Startup, double Seconds, double Cpu)> MeasureAppAsync(
        string bootstrap, string id, bool count, bool rocksDb, int events, IReadOnlyDictionary<string, long>? expected, ILoggerFactory loggerFactory)
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
        var app = new BenchApp(options, count, loggerFactory);
        var startWatch = Stopwatch.StartNew();
        await app.StartAsync();
        await app.WaitForAsync(1);
        var startup = startWatch.Elapsed.TotalSeconds;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await app.WaitForAsync(events);
        await app.App.CommitAsync();
        watch.Stop();
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        if (expected is not null)
        {
            Check(id, expected, app.CountsByUrl());
        }

        await app.DisposeAsync();
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        return (startup, watch.Elapsed.TotalSeconds, cpu);
    }
}
