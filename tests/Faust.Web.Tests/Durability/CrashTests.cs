using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Faust.Transport;
using Faust.Transport.Embedded;

namespace Faust.Web.Tests.Durability;

// Kill -9 the server while clicks are being posted, restart it on the same directory, and compare what it
// serves with what is in the clicks topic: under exactly_once every record is counted exactly once; under
// at_least_once none is lost. Either way every click answered 202 is in the topic.
public sealed class CrashTests
{
    private const int Clients = 4;
    private static readonly string[] Urls = [.. Enumerable.Range(0, 20).Select(i => $"https://example.com/page/{i}")];

    [Theory]
    [InlineData("exactly_once", "memory://")]
    [InlineData("at_least_once", "memory://")]
    [InlineData("exactly_once", "rocksdb://")]
    [InlineData("at_least_once", "rocksdb://")]
    public async Task Sigkill_WhileClicksArePosted_LosesNothing(string guarantee, string store)
    {
        var dir = Path.Combine(Path.GetTempPath(), "faust-crash", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string[] settings =
        [
            "--Faust:Id=crash", $"--Faust:Broker=embedded://{dir}/broker", $"--Faust:DataDirectory={dir}",
            $"--Faust:ProcessingGuarantee={guarantee}", "--Faust:CommitInterval=00:00:00.5", $"--Faust:Store={store}",
        ];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var acked = new ConcurrentDictionary<string, long>();
        var port = ServerProcess.FreePort();
        try
        {
            using (var first = ServerProcess.Start(port, settings))
            {
                await first.WaitReadyAsync(http, TimeSpan.FromSeconds(60));
                using var stop = new CancellationTokenSource();
                var posters = Enumerable.Range(0, Clients).Select(c => PostClicksAsync(http, first.Address, c, acked, stop.Token)).ToArray();
                await Eventually.TrueAsync(() => acked.Values.Sum() >= 3000, "3000 acknowledged clicks before the kill", TimeSpan.FromSeconds(60));
                first.Kill();
                await stop.CancelAsync();
                await Task.WhenAll(posters);
            }

            var counts = new Dictionary<string, long>();
            using (var second = ServerProcess.Start(port, settings))
            {
                await second.WaitReadyAsync(http, TimeSpan.FromSeconds(60));

                // Nothing is sent to the topic any more: once the worker has committed every partition up to its end,
                // it has counted every record in the topic (acknowledged or not), and its counts are final.
                await Eventually.UntilAsync(() => ClicksNotCommittedAsync(http, second.Address), behind => behind.Length == 0,
                    "the restarted worker to commit every partition of the clicks topic up to its end (lag 0 on /api/topics)", TimeSpan.FromSeconds(60));
                foreach (var url in Urls)
                {
                    counts[url] = await http.GetFromJsonAsync<long>(new Uri(second.Address, $"/table/click_counts/{Uri.EscapeDataString(url)}/"));
                }

                await second.TerminateAsync(TimeSpan.FromSeconds(30));
            }

            var truth = SumClicksInTopic(Path.Combine(dir, "broker"));
            foreach (var url in Urls)
            {
                var sent = truth.GetValueOrDefault(url);
                Assert.True(sent >= acked.GetValueOrDefault(url), $"{url}: {acked.GetValueOrDefault(url)} clicks were acknowledged but only {sent} are in the topic");
                if (guarantee == "exactly_once")
                {
                    Assert.True(counts[url] == sent, $"{url}: counted {counts[url]}, the topic holds {sent} (exactly once)");
                }
                else
                {
                    Assert.True(counts[url] >= sent, $"{url}: counted {counts[url]}, the topic holds {sent} (at least once)");
                }
            }
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task PostClicksAsync(HttpClient http, Uri server, int client, ConcurrentDictionary<string, long> acked, CancellationToken stop)
    {
        var random = new Random(client);
        while (!stop.IsCancellationRequested)
        {
            var url = Urls[random.Next(Urls.Length)];
            var n = 1 + random.Next(3);
            try
            {
                using var response = await http.PostAsJsonAsync(new Uri(server, "/topics/clicks"), new { key = url, value = n }, stop);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    acked.AddOrUpdate(url, n, (_, total) => total + n);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                // The server died mid-request: the click may or may not be in the topic; it was not acknowledged.
                await Task.Delay(5, CancellationToken.None);
            }
        }
    }

    // The partitions of the clicks topic the worker has not committed up to their end, from /api/topics (the monitor's
    // snapshot of a second ago at most): empty once every partition's lag is 0.
    private static async Task<string> ClicksNotCommittedAsync(HttpClient http, Uri server)
    {
        var view = await http.GetFromJsonAsync<JsonElement>(new Uri(server, "/api/topics"));
        foreach (var topic in view.GetProperty("topics").EnumerateArray())
        {
            if (topic.GetProperty("name").GetString() != "clicks")
            {
                continue;
            }

            var behind = new List<string>();
            foreach (var partition in topic.GetProperty("partitions").EnumerateArray())
            {
                if (partition.GetProperty("lag") is not { ValueKind: JsonValueKind.Number } lag || lag.GetInt64() != 0)
                {
                    behind.Add($"partition {partition.GetProperty("partition")}: lag {partition.GetProperty("lag")}, "
                        + $"committed {partition.GetProperty("committedOffset")}, end {partition.GetProperty("endOffset")}");
                }
            }

            return string.Join("; ", behind);
        }

        return "no clicks topic on /api/topics yet";
    }

    private static Dictionary<string, long> SumClicksInTopic(string brokerDirectory)
    {
        using var log = RocksDbLogPersistence.Open(brokerDirectory);
        var spec = log.LoadTopics().Single(t => t.Name == "clicks");
        var sums = new Dictionary<string, long>();
        for (var p = 0; p < spec.Partitions; p++)
        {
            var tp = new TopicPartition("clicks", p);
            var end = log.LoadEndOffset(tp);
            var records = new List<ConsumedRecord>();
            for (long from = 0; from < end; from = records[^1].Offset + 1)
            {
                records.Clear();
                log.Read(tp, from, end, 4096, records);
                foreach (var r in records)
                {
                    var url = Encoding.UTF8.GetString(r.Record.Key!);
                    sums[url] = sums.GetValueOrDefault(url) + int.Parse(Encoding.UTF8.GetString(r.Record.Value!), System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }

        return sums;
    }
}
