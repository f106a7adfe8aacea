using System.Diagnostics;
using System.Globalization;
using System.Text;
using Faust.App;
using Faust.Routing;
using Faust.Transport;

namespace Faust.Bench;

/// <summary>
/// Pre-produces N click events (URL key, int value) into 8 partitions, then starts an app and measures the time
/// from the app being ready (start-up and recovery reported apart) until its agent has processed all of them and
/// the final commit is durable. Two agents: the seed's click
/// counter (table + changelog) and one that does nothing (the transport's ceiling).
/// </summary>
internal static class ThroughputBenchmark
{
    private const int Partitions = BenchApp.Partitions;
    private const int Urls = BenchApp.Urls;

    public static async Task RunAsync(int events, string? onlyTransport = null, string? onlyAgent = null, int repeat = 1)
    {
        Console.WriteLine($"Faust.NET throughput: {events:N0} pre-produced events, {Partitions} partitions, {Urls} URLs, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        await MeasureAsync("memory", count: true, Math.Min(events, 200_000)); // warm-up: JIT and tiering
        Console.WriteLine($"{"transport",-10} {"agent",-14} {"store",-8} {"start s",8} {"run s",8} {"events/s",12} {"cpu s",8} {"events/cpu-s",13} {"alloc MB",9}");
        foreach (var (transport, agent, store) in new[]
        {
            ("memory", "noop", "memory"), ("memory", "click-counter", "memory"),
            ("embedded", "noop", "memory"), ("embedded", "click-counter", "memory"), ("embedded", "click-counter", "rocksdb"),
        })
        {
            if ((onlyTransport is not null && transport != onlyTransport) || (onlyAgent is not null && agent != onlyAgent))
            {
                continue;
            }

            for (var run = 0; run < repeat; run++)
            {
                var (startup, seconds, cpu, allocated) = await MeasureAsync(transport, agent == "click-counter", events, store);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{transport,-10} {agent,-14} {store,-8} {startup,8:F2} {seconds,8:F2} {events / seconds,12:N0} {cpu,8:F2} {events / cpu,13:N0} {allocated / 1048576.0,9:F0}"));
            }
        }
    }

    // CPU seconds (every thread of the process, GC included) next to wall seconds: on a shared 2-core machine the
    // wall time swings with what else runs, the CPU time spent per event much less.
    private static async Task<(double Startup, double Seconds, double Cpu, long Allocated)> MeasureAsync(string transport, bool count, int events, string store = "memory")
    {
        var directory = Path.Combine(Path.GetTempPath(), "faust-bench", Guid.NewGuid().ToString("N"));
        var broker = transport == "memory" ? $"memory://bench-{Guid.NewGuid():N}" : $"embedded://{directory}/broker";
        var options = new FaustOptions
        {
            Id = "bench", Broker = broker, TopicPartitions = Partitions, CommitInterval = TimeSpan.FromSeconds(1),
            Store = $"{store}://", DataDirectory = directory,
        };

        // memory://: hold a lease so the broker outlives the producing phase. embedded://: close it, so the app
        // reads the events back from disk as after a restart.
        var lease = TransportFactory.Create(options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await PreProduceAsync(lease, events);
        if (transport != "memory")
        {
            await lease.DisposeAsync();
        }

        var app = new BenchApp(options, count);
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var startWatch = Stopwatch.StartNew();
        await app.StartAsync();
        var startup = startWatch.Elapsed.TotalSeconds;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await app.WaitForAsync(events);
        await app.App.CommitAsync();
        watch.Stop();
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        await app.DisposeAsync();
        await lease.DisposeAsync();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        return (startup, watch.Elapsed.TotalSeconds, cpu, allocated);
    }

    private static async Task PreProduceAsync(ITransport transport, int events)
    {
        await transport.EnsureTopicAsync(new TopicSpec("clicks", Partitions));
        await BenchApp.PreProduceAsync(transport.CreateProducer(), events);
    }
}
