using System.Globalization;
using Faust.Bench;

// Faust.NET end-to-end benchmark: events/s through the seed's click counter.
// Usage: dotnet run -c Release --project bench/Faust.Bench [-- --events 1000000] [--transport memory|embedded]
//        [--agent noop|click-counter] [--repeat N]
//        dotnet run -c Release --project bench/Faust.Bench -- --kafka [--events 800000] [--rounds 3] [--readers raw,memory] [--log]   (librdkafka's mock cluster, beside Streamiz;
//          --readers keeps the readers whose name contains one of the comma-separated parts; --log prints the apps' logs on stderr)
//        dotnet run -c Release --project bench/Faust.Bench -- --recovery [--keys 1000000] [--rss-keys 10000000] [--rounds 2]
//          (durable tables on the embedded broker: recovery beside a raw RocksDB load, warm restart, RSS of a big table)
// --transport and --agent pick one row; --repeat measures each row N times (on a busy machine, compare the best).
if (args is ["--rss-child", var rssRoot, var rssKeys])
{
    await RecoveryBenchmark.RssChildAsync(rssRoot, int.Parse(rssKeys, CultureInfo.InvariantCulture));
    return;
}

int? events = null;
var keys = 1_000_000;
var rssKeyCount = 10_000_000;
int? rounds = null;
var kafka = args.Contains("--kafka");
string? transport = null;
string? agent = null;
var repeat = 1;
string? readers = null;
for (var i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--events":
            events = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--transport":
            transport = args[i + 1];
            break;
        case "--agent":
            agent = args[i + 1];
            break;
        case "--repeat":
            repeat = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--readers":
            readers = args[i + 1];
            break;
        case "--keys":
            keys = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--rss-keys":
            rssKeyCount = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--rounds":
            rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
    }
}

if (args.Contains("--recovery"))
{
    await RecoveryBenchmark.RunAsync(keys, rssKeyCount, rounds ?? 2);
}
else if (kafka)
{
    await KafkaBenchmark.RunAsync(events ?? 800_000, rounds ?? 3, readers, log: args.Contains("--log"));
}
else
{
    await ThroughputBenchmark.RunAsync(events ?? 1_000_000, transport, agent, repeat);
}
