using System.Globalization;
using Faust.Bench;

// Faust.NET end-to-end benchmark: events/s through the seed's click counter.
// Usage: dotnet run -c Release --project bench/Faust.Bench [-- --events 1000000] [--transport memory|embedded]
//        [--agent noop|click-counter] [--repeat N]
//        dotnet run -c Release --project bench/Faust.Bench -- --kafka [--events 400000] [--rounds 2] [--readers raw,memory]   (librdkafka's mock cluster, beside Streamiz;
//          --readers keeps the readers whose name contains one of the comma-separated parts)
// --transport and --agent pick one row; --repeat measures each row N times (on a busy machine, compare the best).
int? events = null;
var rounds = 2;
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
        case "--rounds":
            rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
    }
}

if (kafka)
{
    await KafkaBenchmark.RunAsync(events ?? 400_000, rounds, readers);
}
else
{
    await ThroughputBenchmark.RunAsync(events ?? 1_000_000, transport, agent, repeat);
}
