using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Faust.Bench.Codecs;
using Perfolizer.Horology;

// dotnet run -c Release --project bench/Faust.Bench.Codecs            BenchmarkDotNet, then the paired run
// dotnet run -c Release --project bench/Faust.Bench.Codecs -- --paired the paired run only (about a minute)
if (args.Contains("--paired"))
{
    PairedRun.Run();
    return;
}

// In process: a generated benchmark project would inherit the repository's warnings-as-errors build settings.
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
        .WithWarmupCount(5).WithIterationCount(30).WithMinIterationTime(TimeInterval.FromMilliseconds(200)));
BenchmarkRunner.Run<CodecBenchmarks>(config, args);
PairedRun.Run();
