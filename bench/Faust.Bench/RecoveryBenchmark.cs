using System.Diagnostics;
using System.Globalization;
using System.Text;
using Faust.App;
using Faust.Routing;
using Faust.Stores;
using Faust.Tables;
using Faust.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using RocksDbSharp;

namespace Faust.Bench;

/// <summary>
/// Durable tables on the embedded broker (changelog and tables in RocksDB on disk):
/// 1. cold recovery of an N-key changelog (8 partitions) into RocksDB tables, in records/s, beside a raw RocksDB
///    WriteBatch load of the same records from memory (the ceiling);
/// 2. a warm restart with the current stores (time from start to ready; nothing is read);
/// 3. in a child process, the resident set of a worker whose table holds M keys (warm start, then random reads).
/// </summary>
internal static class RecoveryBenchmark
{
    private const int Partitions = 8;
    private const string Table = "counts";

    public static async Task RunAsync(int keys, int rssKeys, int rounds)
    {
        Console.WriteLine($"Faust.NET table recovery: {keys:N0}-key changelog, {Partitions} partitions, embedded broker, RocksDB stores; {Environment.ProcessorCount} cores, .NET {Environment.Version}, {LoadAverage()}");
        var root = Path.Combine(Path.GetTempPath(), "faust-bench-recovery", Guid.NewGuid().ToString("N"));
        try
        {
            var records = Records(keys);
            var options = Options(root);
            var produce = Stopwatch.StartNew();
            await ProduceChangelogAsync(options, records);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"changelog written: {keys:N0} records in {produce.Elapsed.TotalSeconds:F1} s"));

            for (var round = 1; round <= rounds; round++)
            {
                var raw = RawLoad(Path.Combine(root, $"raw-{round}"), records);
                var read = await ReadOnlyAsync(options, keys);
                var dataDirectory = Path.Combine(root, $"data-{round}");
                var (coldSeconds, applied) = await StartAsync(options, dataDirectory, expectRecovered: keys);
                var (warmSeconds, warmApplied) = await StartAsync(options, dataDirectory, expectRecovered: 0);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: raw WriteBatch load {keys / raw,12:N0} records/s ({raw:F2} s) | changelog read only {keys / read,12:N0} records/s | recovery {applied / coldSeconds,12:N0} records/s ({coldSeconds:F2} s start to ready, {applied:N0} applied, {applied / coldSeconds / (keys / raw):P0} of raw) | warm restart {warmSeconds * 1000:F0} ms ({warmApplied} read) | {LoadAverage()}"));
            }

            if (rssKeys > 0)
            {
                await MeasureRssAsync(root, rssKeys);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static FaustOptions Options(string root, string? dataDirectory = null) => new()
    {
        Id = "recovery-bench",
        Broker = $"embedded://{root}/broker",
        DataDirectory = dataDirectory ?? Path.Combine(root, "data"),
        Store = "rocksdb://",
        TopicPartitions = Partitions,
        CommitInterval = TimeSpan.FromSeconds(1),
    };

    private static string Changelog(FaustOptions options) => $"{options.GroupId}-{Table}-changelog";

    // Distinct keys (a compacted changelog holds one record per key), values as the table's long codec writes them.
    private static (int Partition, byte[] Key, byte[] Value)[] Records(int keys)
    {
        var records = new (int, byte[], byte[])[keys];
        for (var i = 0; i < keys; i++)
        {
            var key = Encoding.UTF8.GetBytes($"key-{i:D9}");
            records[i] = (Partitioner.Default.PartitionFor(key, Partitions), key, Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture)));
        }

        return records;
    }

    private static async Task ProduceChangelogAsync(FaustOptions options, (int Partition, byte[] Key, byte[] Value)[] records)
    {
        await using var transport = TransportFactory.Create(options, NullLoggerFactory.Instance);
        var changelog = Changelog(options);
        await transport.EnsureTopicAsync(new TopicSpec(changelog, Partitions, Compacted: true, Internal: true));
        using var producer = transport.CreateProducer();
        foreach (var (partition, key, value) in records)
        {
            producer.Produce(new TopicPartition(changelog, partition), new TransportRecord(key, value, null, 0));
        }

        await producer.FlushAsync();
    }

    // The ceiling: the same records, already in memory, written to one RocksDB per partition in WriteBatches of 10k
    // (RocksDB's default options).
    private static double RawLoad(string directory, (int Partition, byte[] Key, byte[] Value)[] records)
    {
        var byPartition = records.GroupBy(r => r.Partition).ToDictionary(g => g.Key, g => g.ToArray());
        Directory.CreateDirectory(directory);
        var watch = Stopwatch.StartNew();
        foreach (var (partition, items) in byPartition)
        {
            using var db = RocksDb.Open(new DbOptions().SetCreateIfMissing(true), Path.Combine(directory, $"plain-{partition}.db"));
            for (var start = 0; start < items.Length; start += 10_000)
            {
                using var batch = new WriteBatch();
                for (var i = start; i < Math.Min(items.Length, start + 10_000); i++)
                {
                    batch.Put(items[i].Key, items[i].Value);
                }

                db.Write(batch);
            }
        }

        return watch.Elapsed.TotalSeconds;
    }

    // The transport's share: reading the whole changelog from the embedded broker, applying nothing.
    private static async Task<double> ReadOnlyAsync(FaustOptions options, int keys)
    {
        await using var transport = TransportFactory.Create(options, NullLoggerFactory.Instance);
        using var reader = transport.CreateConsumer(groupId: null);
        var watch = Stopwatch.StartNew();
        reader.Assign([.. Enumerable.Range(0, Partitions).Select(p => new KeyValuePair<TopicPartition, long>(new TopicPartition(Changelog(options), p), 0))]);
        var read = 0L;
        while (read < keys)
        {
            read += reader.Poll(TimeSpan.FromSeconds(1))?.Count ?? 0;
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<(double Seconds, long Applied)> StartAsync(FaustOptions template, string dataDirectory, long expectRecovered)
    {
        var options = Options(Path.GetDirectoryName(dataDirectory)!, dataDirectory);
        options.Broker = template.Broker;
        var app = new FaustApp(options);
        var table = app.Table<string, long>(Table, () => 0L);
        var watch = Stopwatch.StartNew();
        await app.StartAsync();
        await app.WhenReady;
        var seconds = watch.Elapsed.TotalSeconds;
        var applied = app.Worker!.Recovery.Applied;
        if (applied != expectRecovered || table["key-000000007"] != 7)
        {
            throw new InvalidOperationException($"Recovery applied {applied} records, expected {expectRecovered}; key-000000007 reads {table["key-000000007"]}.");
        }

        await app.DisposeAsync();
        return (seconds, applied);
    }

    // The table is filled through its own store (100k puts per WriteBatch) by this process; the child process then
    // starts a worker on it (a warm start), reads random keys and reports its resident set.
    private static async Task MeasureRssAsync(string root, int keys)
    {
        var dataDirectory = Path.Combine(root, "rss-data");
        var options = Options(root, dataDirectory);
        var fill = Stopwatch.StartNew();
        var factory = new RocksDbStoreFactory(options.TableDirectory, options.RocksDb);
        var stores = Enumerable.Range(0, Partitions).Select(p => factory.Open(Table, p)).ToArray();
        for (var i = 0; i < keys; i++)
        {
            var key = Encoding.UTF8.GetBytes($"key-{i:D9}");
            var store = stores[Partitioner.Default.PartitionFor(key, Partitions)];
            store.Put(key, Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture)));
            if (i % 100_000 == 99_999)
            {
                foreach (var s in stores)
                {
                    s.Flush();
                }
            }
        }

        foreach (var s in stores)
        {
            s.Flush();
            s.Dispose();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rss: {keys:N0} keys written to the table's stores in {fill.Elapsed.TotalSeconds:F1} s"));
        var child = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, ["--rss-child", root, keys.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
        })!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        Console.Write(output);
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"The RSS child process failed with exit code {child.ExitCode}.");
        }
    }

    public static async Task RssChildAsync(string root, int keys)
    {
        var options = Options(root, Path.Combine(root, "rss-data"));
        var before = Rss();

        // How much of the warm start is opening the RocksDB databases themselves.
        var open = Stopwatch.StartNew();
        var factory = new RocksDbStoreFactory(options.TableDirectory, options.RocksDb);
        foreach (var store in Enumerable.Range(0, Partitions).Select(p => factory.Open(Table, p)).ToArray())
        {
            store.Dispose();
        }

        var openSeconds = open.Elapsed.TotalSeconds;
        var app = new FaustApp(options);
        var table = app.Table<string, long>(Table, () => 0L);
        var watch = Stopwatch.StartNew();
        await app.StartAsync();
        await app.WhenReady;
        var started = watch.Elapsed.TotalSeconds;
        var random = new Random(42);
        const int reads = 200_000;
        watch.Restart();
        for (var i = 0; i < reads; i++)
        {
            var k = random.Next(keys);
            if (table[$"key-{k:D9}"] != k)
            {
                throw new InvalidOperationException($"key-{k:D9} reads {table[$"key-{k:D9}"]}.");
            }
        }

        var readSeconds = watch.Elapsed.TotalSeconds;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var rss = Rss();
        var cache = options.RocksDb.BlockCacheSize;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rss: worker with {keys:N0} keys: warm start {started * 1000:F0} ms (opening the 8 databases alone before it: {openSeconds * 1000:F0} ms), {reads:N0} random reads at {reads / readSeconds:N0}/s; RSS {rss / 1048576.0:F0} MB (before start {before / 1048576.0:F0} MB, managed heap {GC.GetTotalMemory(false) / 1048576.0:F0} MB, server GC {System.Runtime.GCSettings.IsServerGC}); target < 400 MB + block cache {cache / 1048576} MB = {400 + cache / 1048576} MB | {LoadAverage()}"));
        await app.DisposeAsync();
    }

    private static long Rss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        return Environment.WorkingSet;
    }

    private static string LoadAverage()
    {
        try
        {
            return "load average " + string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "load average unknown";
        }
    }
}
