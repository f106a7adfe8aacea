using Faust.Bench;

// Faust.NET end-to-end benchmark: events/s through the seed's click counter.
// Usage: dotnet run -c Release --project bench/Faust.Bench [-- --events 1000000]
//        dotnet run -c Release --project bench/Faust.Bench -- --kafka [--events 400000]   (librdkafka's mock cluster)
int? events = null;
var kafka = args.Contains("--kafka");
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--events")
    {
        events = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
    }
}

if (kafka)
{
    await KafkaBenchmark.RunAsync(events ?? 400_000);
}
else
{
    await ThroughputBenchmark.RunAsync(events ?? 1_000_000);
}
