using System.Diagnostics;
using Confluent.Kafka;
using Faust.Serialization;
using Microsoft.Extensions.Logging;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.Table;

namespace Faust.Bench;

/// <summary>
/// The click counter written with Streamiz.Kafka.Net (Kafka Streams for .NET): key = URL (UTF-8 string), value = the
/// click's count (the JSON number Faust writes, decoded by Faust's own int codec so both sides do the same work),
/// grouped by key and summed into a KTable whose store is in memory or RocksDB, with Streamiz's defaults otherwise
/// (changelog on, one stream thread, at-least-once) but for the commit interval, set to the Faust apps' 1 s (Streamiz's
/// default is 30 s). Its record cache is off by default; with it on, as Faust's changelog buffer is, a key updated many
/// times between commits reaches the store and changelog once.
/// </summary>
internal static class StreamizCounter
{
    // Streamiz keeps the last logger factory it was given in a static, used by every later configuration: one for
    // the process, never disposed. Its RocksDB store warns at close about the iterator of the totals check below,
    // which enumerated to its end.
    private static readonly ILoggerFactory Logs = LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(LogLevel.Warning)
        .AddFilter("Streamiz.Kafka.Net.State.RocksDbKeyValueStore", LogLevel.Error));

    /// <summary>The changelog Streamiz writes for <paramref name="store"/> of application <paramref name="applicationId"/>;
    /// it must exist beforehand, as the mock has no CreateTopics API.</summary>
    public static string Changelog(string applicationId, string store) => $"{applicationId}-{store}-changelog";

    /// <summary>Runs the topology over <paramref name="topic"/> until it has counted <paramref name="events"/> records.</summary>
    /// <returns>Seconds from start to the first record, from the first record to the last one aggregated, and the CPU
    /// seconds the process spent in between.</returns>
    public static async Task<(double Startup, double Seconds, double Cpu, IReadOnlyDictionary<string, long> Counts)> RunAsync(
        string bootstrap, string applicationId, string topic, string store, bool rocksDb, bool cache, int events)
    {
        var stateDir = Path.Combine(Path.GetTempPath(), "faust-bench-" + applicationId + "-" + Guid.NewGuid().ToString("N")[..8]);
        var config = new StreamConfig<StringSerDes, FaustCodecSerDes<int>>
        {
            ApplicationId = applicationId,
            BootstrapServers = bootstrap,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            StateDir = stateDir,
            SessionTimeoutMs = 6000,
            CommitIntervalMs = 1000,
            // The fetch setting Faust.NET's consumer uses (librdkafka's 1000 ms default stalls every reader here).
            FetchQueueBackoffMs = int.Parse(Faust.Transport.Kafka.KafkaSettings.FetchQueueBackoffMs, System.Globalization.CultureInfo.InvariantCulture),
            Logger = Logs,
        };

        long processed = 0;
        Stopwatch? watch = null;
        TimeSpan cpuAtFirst = default, cpuAtLast = default;
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var last = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var materialized = rocksDb
            ? RocksDb.As<string, long>(store).WithValueSerdes<Int64SerDes>()
            : InMemory.As<string, long>(store).WithValueSerdes<Int64SerDes>();
        if (cache)
        {
            materialized = materialized.WithCachingEnabled(CacheSize.OfMb(5));
        }

        var builder = new StreamBuilder();
        var counts = builder.Stream<string, int>(topic)
            .GroupByKey()
            .Aggregate(() => 0L, (_, n, total) =>
            {
                // One stream thread calls this: no lock needed for the watch, the counter is read from outside.
                if (watch is null)
                {
                    cpuAtFirst = Process.GetCurrentProcess().TotalProcessorTime;
                    watch = Stopwatch.StartNew();
                    first.TrySetResult();
                }

                if (Interlocked.Increment(ref processed) == events)
                {
                    watch.Stop();
                    cpuAtLast = Process.GetCurrentProcess().TotalProcessorTime;
                    last.TrySetResult();
                }

                return total + n;
            }, materialized);

        var stream = new KafkaStream(builder.Build(), config);
        try
        {
            var start = Stopwatch.StartNew();
            await stream.StartAsync();
            await first.Task.WaitAsync(TimeSpan.FromSeconds(120));
            var startup = start.Elapsed.TotalSeconds - watch!.Elapsed.TotalSeconds;
            await last.Task.WaitAsync(TimeSpan.FromSeconds(600));
            var seconds = watch.Elapsed.TotalSeconds;

            // The last aggregate call returns before its store write: read the table once it holds every click.
            var query = stream.Store(StoreQueryParameters.FromNameAndType(store, Streamiz.Kafka.Net.State.QueryableStoreTypes.KeyValueStore<string, long>()));
            var table = new Dictionary<string, long>();
            var deadline = Stopwatch.StartNew();
            while (table.Values.Sum() != events && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(20);
                table = query.All().ToDictionary(kv => kv.Key, kv => kv.Value);
            }

            // RocksDB's own files prove the RocksDB flavour ran (on the RocksDB natives Faust.NET ships).
            var rocksDbFiles = Directory.Exists(stateDir) && Directory.EnumerateFiles(stateDir, "CURRENT", SearchOption.AllDirectories).Any();
            if (rocksDbFiles != rocksDb)
            {
                throw new InvalidOperationException($"Streamiz {(rocksDb ? "wrote no" : "wrote")} RocksDB files under {stateDir}.");
            }

            return (startup, seconds, (cpuAtLast - cpuAtFirst).TotalSeconds, table);
        }
        finally
        {
            stream.Dispose();
            try
            {
                Directory.Delete(stateDir, recursive: true);
            }
            catch (IOException)
            {
                // A store still closing: the temp directory is left behind.
            }
        }
    }

    /// <summary>A Faust codec as a Streamiz SerDes, so Streamiz decodes values exactly as Faust's agent does.</summary>
    public sealed class FaustCodecSerDes<T> : AbstractSerDes<T>
    {
        private readonly ICodec<T> _codec = Codecs.Default<T>();

        public override T Deserialize(byte[] data, SerializationContext context) => _codec.Decode(data);

        public override byte[] Serialize(T data, SerializationContext context) => _codec.Encode(data)!;
    }
}
