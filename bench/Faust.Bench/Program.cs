using Faust.Bench;

// Faust.NET end-to-end benchmark: events/s through the seed's click counter.
// Usage: dotnet run -c Release --project bench/Faust.Bench [-- --events 1000000]
var events = 1_000_000;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--events")
    {
        events = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
    }
}

await ThroughputBenchmark.RunAsync(events);
