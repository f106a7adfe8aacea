using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Faust.Transport.Kafka;
using Faust.Web.Endpoints;
using Faust.Web.Hosting;

// Routing benchmark: table lookups over HTTP under concurrent load, answered locally and forwarded one hop
// to the owning worker, beside a bare minimal-API endpoint that returns a constant. Two workers of one app (Kestrel on
// loopback, each its own data directory) on librdkafka's mock cluster, all in this process, with the load generator.
// Usage: dotnet run -c Release --project bench/Faust.Bench.Routing [-- --seconds 5] [--concurrency 16] [--rounds 3]
// Prints requests/s and p50/p99 under concurrent load (best and per-round figures), then latency with one client.
var seconds = 5;
var concurrency = 16;
var rounds = 3;
for (var i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--seconds":
            seconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--concurrency":
            concurrency = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--rounds":
            rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
    }
}

const int Partitions = 4;
const string AppId = "bench-routing";
var root = Path.Combine(Path.GetTempPath(), "faust-bench-routing", Guid.NewGuid().ToString("N"));
using var cluster = new MockCluster(brokers: 1);
cluster.SetInitialRebalanceDelay(TimeSpan.Zero);
cluster.SetControllerId(1);
foreach (var (topic, partitions) in new[] { ("clicks", Partitions), ($"{AppId}-click_counts-changelog", Partitions), ($"{AppId}-count_click-dlq", Partitions), ($"{AppId}-__assignor-__leader", 1), ($"{AppId}-__assignor", 1) })
{
    cluster.CreateTopic(topic, partitions);
}

Console.WriteLine($"Routing benchmark: 2 workers on the mock cluster, {concurrency} concurrent clients, {seconds} s per run, {rounds} rounds; load average before: {LoadAverage()}");
await using var a = await StartWorkerAsync("a");
await using var b = await StartWorkerAsync("b");
var urlA = a.Urls.First();
var urlB = b.Urls.First();
using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = new Uri(urlA) };

// Settled: both workers ready and A's view names both, with the changelog split between them.
await WaitAsync(async () =>
{
    if ((await client.GetAsync("/readyz")).StatusCode != HttpStatusCode.OK || (await client.GetAsync(urlB + "/readyz")).StatusCode != HttpStatusCode.OK)
    {
        return false;
    }

    var router = JsonDocument.Parse(await client.GetStringAsync("/router/click_counts/")).RootElement;
    return router.EnumerateObject().Count() == 2 && router.EnumerateObject().All(w => w.Value.EnumerateObject().First().Value.GetArrayLength() > 0);
}, "the two workers to split the partitions");

var keys = Enumerable.Range(0, 64).Select(i => $"https://example.com/page/{i}").ToArray();
foreach (var key in keys)
{
    using var produced = await client.PostAsync("/topics/clicks", JsonContent(new { key, value = 1 }));
    produced.EnsureSuccessStatusCode();
}

var local = new List<string>();
var remote = new List<string>();
foreach (var key in keys)
{
    await WaitAsync(async () => (await client.GetAsync(TablePath(key))).StatusCode == HttpStatusCode.OK
        && await client.GetStringAsync(TablePath(key)) == "1", $"{key} to read 1 through A");
    var owner = JsonSerializer.Deserialize<string>(await client.GetStringAsync($"/router/click_counts/{Uri.EscapeDataString(key)}/"));
    (owner == urlA ? local : remote).Add(TablePath(key));
}

Console.WriteLine($"Worker A {urlA} holds {local.Count} of the {keys.Length} keys; {remote.Count} are forwarded to B {urlB}.");
using (var check = await client.GetAsync(remote[0]))
{
    if (!check.Headers.Contains("Faust-Forwarded-To"))
    {
        throw new InvalidOperationException("A lookup of a key B holds was not forwarded.");
    }
}

var scenarios = new (string Name, string[] Paths)[] { ("bare minimal API (constant)", ["/bare"]), ("table GET, local", [.. local]), ("table GET, forwarded", [.. remote]) };
var results = scenarios.ToDictionary(s => s.Name, _ => new List<Result>());
foreach (var (_, paths) in scenarios)
{
    await RunAsync(client, paths, concurrency, TimeSpan.FromSeconds(1)); // warm-up
}

for (var round = 0; round < rounds; round++)
{
    foreach (var (name, paths) in scenarios)
    {
        results[name].Add(await RunAsync(client, paths, concurrency, TimeSpan.FromSeconds(seconds)));
    }
}

Console.WriteLine();
Console.WriteLine("| endpoint | requests/s | p50 ms | p99 ms | errors |");
Console.WriteLine("|---|---|---|---|---|");
foreach (var (name, _) in scenarios)
{
    var best = results[name].MaxBy(r => r.PerSecond)!;
    var p50 = Median(results[name].Select(r => r.P50Ms));
    var p99 = Median(results[name].Select(r => r.P99Ms));
    Console.WriteLine($"| {name} | {best.PerSecond:N0} (best of {rounds}; runs {string.Join(", ", results[name].Select(r => r.PerSecond.ToString("N0", CultureInfo.InvariantCulture)))}) | {p50:F2} | {p99:F2} | {results[name].Sum(r => r.Errors)} |");
}

// Latency without queueing: one request at a time, so the forwarding hop's own cost shows instead of the wait for a
// core that 16 clients, two servers and other work share.
var single = scenarios.ToDictionary(s => s.Name, _ => new List<Result>());
for (var round = 0; round < rounds; round++)
{
    foreach (var (name, paths) in scenarios)
    {
        single[name].Add(await RunAsync(client, paths, 1, TimeSpan.FromSeconds(Math.Max(1, seconds / 2))));
    }
}

Console.WriteLine();
Console.WriteLine("One client, one request at a time (median of the rounds):");
Console.WriteLine("| endpoint | requests/s | p50 ms | p99 ms |");
Console.WriteLine("|---|---|---|---|");
foreach (var (name, _) in scenarios)
{
    Console.WriteLine($"| {name} | {Median(single[name].Select(r => r.PerSecond)):N0} | {Median(single[name].Select(r => r.P50Ms)):F3} | {Median(single[name].Select(r => r.P99Ms)):F3} |");
}

Console.WriteLine($"forwarded - local, p50, one client (per round): {string.Join(", ", single[scenarios[2].Name].Zip(single[scenarios[1].Name], (f, l) => $"{f.P50Ms - l.P50Ms:F3} ms"))}");

var bare = results[scenarios[0].Name];
var localRuns = results[scenarios[1].Name];
var forwardedRuns = results[scenarios[2].Name];
Console.WriteLine();
Console.WriteLine($"local / bare throughput (per round): {string.Join(", ", localRuns.Zip(bare, (l, r) => (l.PerSecond / r.PerSecond).ToString("F2", CultureInfo.InvariantCulture)))}");
Console.WriteLine($"forwarded - local, p50 (per round): {string.Join(", ", forwardedRuns.Zip(localRuns, (f, l) => $"{f.P50Ms - l.P50Ms:F2} ms"))}");
Console.WriteLine($"Load average after: {LoadAverage()}");
await b.StopAsync();
await a.StopAsync();

try
{
    Directory.Delete(root, recursive: true);
}
catch (IOException)
{
}

async Task<WebApplication> StartWorkerAsync(string name)
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["urls"] = "http://127.0.0.1:0",
        ["Faust:Id"] = AppId,
        ["Faust:WorkerId"] = name,
        ["Faust:Broker"] = "kafka://" + cluster.BootstrapServers,
        ["Faust:DataDirectory"] = Path.Combine(root, name),
        ["Faust:TopicPartitions"] = Partitions.ToString(CultureInfo.InvariantCulture),
        ["Faust:Kafka:Consumer:session.timeout.ms"] = "3000",
        ["Faust:Kafka:Consumer:heartbeat.interval.ms"] = "300",
        ["Faust:Kafka:Consumer:fetch.wait.max.ms"] = "50",
        ["Faust:Kafka:Producer:linger.ms"] = "1",
        ["Logging:LogLevel:Default"] = "Error",
        ["Logging:LogLevel:Faust.Transport.Kafka"] = "None",
    });
    var faust = builder.AddFaust();
    var clicks = faust.Topic<string, int>("clicks");
    var counts = faust.Table<string, long>("click_counts", () => 0L);
    faust.Agent(clicks, async (stream, ct) =>
    {
        await foreach (var (url, n) in stream.Items().WithCancellation(ct))
        {
            counts[url] += n;
        }
    }, name: "count_click");
    var app = builder.Build();
    app.MapFaust();
    app.MapGet("/bare", () => 42);
    await app.StartAsync();
    return app;
}

static async Task<Result> RunAsync(HttpClient client, string[] paths, int concurrency, TimeSpan duration)
{
    var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    var started = Stopwatch.GetTimestamp();
    var perClient = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(c => Task.Run(async () =>
    {
        var latencies = new List<long>(1 << 16);
        var errors = 0;
        var i = c;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(paths[i++ % paths.Length]);
            _ = await response.Content.ReadAsByteArrayAsync();
            latencies.Add(Stopwatch.GetTimestamp() - start);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                errors++;
            }
        }

        return (latencies, errors);
    })));
    var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
    var all = perClient.SelectMany(p => p.latencies).Order().ToArray();
    double Percentile(double q) => all[Math.Min(all.Length - 1, (int)(q * all.Length))] * 1000.0 / Stopwatch.Frequency;
    return new Result(all.Length / elapsed, Percentile(0.50), Percentile(0.99), perClient.Sum(p => p.errors));
}

static async Task WaitAsync(Func<Task<bool>> condition, string what)
{
    var deadline = Stopwatch.StartNew();
    while (!await condition())
    {
        if (deadline.Elapsed > TimeSpan.FromSeconds(90))
        {
            throw new TimeoutException($"Timed out waiting for {what}.");
        }

        await Task.Delay(50);
    }
}

static string TablePath(string key) => $"/table/click_counts/{Uri.EscapeDataString(key)}/";

static StringContent JsonContent(object value) => new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted[sorted.Length / 2];
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

internal sealed record Result(double PerSecond, double P50Ms, double P99Ms, int Errors);
