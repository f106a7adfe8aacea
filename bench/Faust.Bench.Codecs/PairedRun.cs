using System.Diagnostics;
using System.Globalization;

namespace Faust.Bench.Codecs;

// A second view of the same benchmarks, made for a machine shared with other work: each pair (baseline, candidate)
// runs in alternating batches, round after round, and the figure is the median of the per-round ratios, so a burst of
// load from elsewhere slows both sides of a round alike instead of skewing one benchmark.
internal static class PairedRun
{
    public static void Run(int rounds = 41, int batch = 20_000)
    {
        var b = new CodecBenchmarks();
        b.Setup();
        Console.WriteLine();
        Console.WriteLine($"Paired, interleaved: {rounds} rounds of {batch:N0} encode+decode per side; median per-round figures.");
        Console.WriteLine("| pair | baseline ns/op | candidate ns/op | candidate / baseline |");
        Console.WriteLine("|---|---:|---:|---:|");
        Report("plain contract: Codecs.Json(typeInfo) vs JsonSerializer", () => b.PlainJsonSerializer(), () => b.PlainCodec(), rounds, batch);
        Report("Faust format: Codecs.Record(context) vs JsonSerializer, Faust options", () => b.FaustJsonSerializer(), () => b.FaustCodec(), rounds, batch);
        Report("Faust format vs plain: Codecs.Record(context) vs JsonSerializer, source-generated", () => b.PlainJsonSerializer(), () => b.FaustCodec(), rounds, batch);
    }

    private static void Report(string name, Func<Order> baseline, Func<Order> candidate, int rounds, int batch)
    {
        Time(baseline, batch);
        Time(candidate, batch);
        var ratios = new double[rounds];
        var baseNs = new double[rounds];
        var candNs = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            // Alternate which side goes first, so neither always runs right after a collection of the other's garbage.
            if (r % 2 == 0)
            {
                baseNs[r] = Time(baseline, batch);
                candNs[r] = Time(candidate, batch);
            }
            else
            {
                candNs[r] = Time(candidate, batch);
                baseNs[r] = Time(baseline, batch);
            }

            ratios[r] = candNs[r] / baseNs[r];
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {Median(baseNs):F0} | {Median(candNs):F0} | {Median(ratios):F3} |"));
    }

    private static double Time(Func<Order> op, int batch)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < batch; i++)
        {
            op();
        }

        return watch.Elapsed.TotalNanoseconds / batch;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
