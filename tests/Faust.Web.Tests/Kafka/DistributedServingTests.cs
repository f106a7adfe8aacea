using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Faust.Web.Tests.Kafka;

// Distributed serving (DESIGN decisions 4 and 5) end to end: several copies of the sample server (Program.cs), each its own Kestrel host on a loopback port
// and its own data directory, in one consumer group on one mock cluster. Any worker answers any key with the owner's
// answer; while the group rebalances the answer is the right value or 503, never a wrong one.
[Collection(KafkaCollection.Name)]
public sealed class DistributedServingTests : IAsyncLifetime
{
    private const string Secret = "a-cluster-secret-for-tests";
    private static readonly string[] Urls = [.. Enumerable.Range(0, 12).Select(i => $"https://example.com/page/{i}")];
    private readonly MockKafka _kafka = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "faust-web-cluster", Guid.NewGuid().ToString("N"));
    private readonly string _appId = $"web-cluster-{Guid.NewGuid():N}"[..20];
    private readonly List<FaustWebFactory> _workers = [];
    private readonly List<WorkerLogs> _logs = [];

    public Task InitializeAsync() => _kafka.CreateSampleTopicsAsync(_appId);

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        _kafka.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private (FaustWebFactory Factory, HttpClient Client) Start(string name, Dictionary<string, string?>? extra = null)
    {
        var settings = _kafka.Settings(Path.Combine(_root, name));
        settings["Faust:WorkerId"] = name;
        settings["Faust:Web:ForwardTimeout"] = "00:00:03";
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var logs = new WorkerLogs(name);
        _logs.Add(logs);
        settings["Logging:LogLevel:Faust"] = "Information";
        var factory = new FaustWebFactory(settings, kestrel: true, appId: _appId, logs: logs);
        _workers.Add(factory);
        factory.StartServer();
        return (factory, factory.CreateClient());
    }

    [Fact]
    public async Task ThreeWorkers_AnswerEveryKeyAlike_AndDuringARebalanceAnswerRightOr503()
    {
        var w1 = Start("w1");
        var w2 = Start("w2");
        var w3 = Start("w3");
        HttpClient[] all = [w1.Client, w2.Client, w3.Client];
        // Clicks go in once the group has settled: the mock refuses commits while a rebalance is in progress (Kafka
        // accepts them), so clicks processed during the joins would be counted again after them (at least once).
        await SettledAsync(all);
        var expected = await PostClicksAsync(w1.Client, 60);

        // Settled: every key's GET returns the same body, the count, from all three workers.
        foreach (var client in all)
        {
            await ExpectCountsAsync(client, expected);
        }

        // Each worker holds some partitions (4 partitions over 3 workers), so some of those answers were forwarded.
        var owners = new Dictionary<string, string>();
        foreach (var url in Urls)
        {
            var seen = new HashSet<string>();
            foreach (var client in all)
            {
                seen.Add(await OwnerAsync(client, url));
            }

            owners[url] = Assert.Single(seen); // /router/{table}/{key}/ agrees everywhere
        }

        Assert.Equal(3, owners.Values.Distinct().Count());
        foreach (var (url, owner) in owners)
        {
            // The owner's /assignment/ lists the key's changelog partition among its actives.
            var ownerClient = all.Single(c => Authority(c) == owner);
            var assignment = await (await ownerClient.GetAsync("/assignment/")).JsonAsync();
            var actives = assignment.GetProperty("actives").GetProperty($"{_appId}-click_counts-changelog").EnumerateArray().Select(p => p.GetInt32());
            Assert.Contains(PartitionOf(url), actives);
        }

        // /router/ is the whole cluster, the same from every worker: three URLs whose partitions split the changelog.
        var maps = new List<string>();
        foreach (var client in all)
        {
            maps.Add(await client.GetStringAsync("/router/click_counts/"));
        }

        Assert.Single(maps.Distinct());
        var router = JsonDocument.Parse(maps[0]).RootElement;
        Assert.Equal(3, router.EnumerateObject().Count());
        Assert.Equal([0, 1, 2, 3], router.EnumerateObject()
            .SelectMany(w => w.Value.GetProperty($"{_appId}-click_counts-changelog").EnumerateArray().Select(p => p.GetInt32())).Order());

        // A forwarded request that reaches a worker that does not own the key is not forwarded again: 503.
        var someUrl = Urls[0];
        var notOwner = all.First(c => Authority(c) != owners[someUrl]);
        using (var request = new HttpRequestMessage(HttpMethod.Get, TablePath(someUrl)))
        {
            request.Headers.Add("Faust-Forwarded-By", "another-worker");
            using var response = await notOwner.SendAsync(request);
            await response.AssertProblemAsync(503);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.False(response.Headers.Contains("Faust-Forwarded-To"));
        }

        // Stop one worker cleanly. While the survivors rebalance, every lookup is the right value or 503. Everything is
        // committed first, for the same reason as above: the survivors' commits in their revocation fail on the mock.
        await Eventually.UntilAsync(() => Task.FromResult(Lag()), lag => lag == 0, "the group to commit every click");
        var stopped = _workers[2];
        _workers.RemoveAt(2);
        var stopping = stopped.DisposeAsync().AsTask();
        HttpClient[] survivors = [w1.Client, w2.Client];
        var wrong = new List<string>();
        var answered = 0;
        var unavailable = 0;
        await Eventually.UntilAsync(async () =>
        {
            var right = 0;
            foreach (var client in survivors)
            {
                foreach (var (url, count) in expected)
                {
                    using var response = await client.GetAsync(TablePath(url));
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.OK && body == count.ToString(CultureInfo.InvariantCulture))
                    {
                        right++;
                        answered++;
                    }
                    else if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null)
                    {
                        unavailable++;
                    }
                    else
                    {
                        var via = response.Headers.TryGetValues("Faust-Forwarded-To", out var to) ? " via " + to.Single() : " locally";
                        wrong.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {Authority(client)} {url}: {(int)response.StatusCode} {body}{via}");
                    }

                    // The sample's MapTableRoute endpoint, under the same rule.
                    using var routed = await client.GetAsync($"/count/{Uri.EscapeDataString(url)}");
                    var routedBody = await routed.Content.ReadAsStringAsync();
                    if (routed.StatusCode == HttpStatusCode.OK
                        ? JsonDocument.Parse(routedBody).RootElement.GetProperty("count").GetInt64() != count
                        : routed.StatusCode != HttpStatusCode.ServiceUnavailable)
                    {
                        wrong.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {Authority(client)} /count/{url}: {(int)routed.StatusCode} {routedBody}");
                    }
                }
            }

            return right;
        }, right => right == survivors.Length * expected.Count || wrong.Count > 0, "every survivor to answer every key with its count", TimeSpan.FromSeconds(60));
        await stopping;

        Assert.True(wrong.Count == 0, "wrong answers during the rebalance: " + string.Join("; ", wrong.Take(5)) + "\n" + Logs());
        Assert.True(answered >= survivors.Length * expected.Count);

        // Settled again on two workers: the stopped worker's URL is gone from every view.
        var stoppedUrl = Authority(w3.Client);
        await Eventually.UntilAsync(() => w1.Client.GetStringAsync("/router/"), body => !body.Contains(stoppedUrl, StringComparison.Ordinal),
            "the stopped worker to leave /router/");
    }

    [Fact]
    public async Task TableRoutePost_IsForwardedWithItsBodyIntact_AndForwardedRequestsNeedTheClusterSecret()
    {
        var limits = new Dictionary<string, string?> { ["Faust:Web:ClusterSecret"] = Secret, ["Faust:Web:MaxRequestBodyBytes"] = "2048" };
        var w1 = Start("w1", limits);
        var w2 = Start("w2", limits);
        HttpClient[] all = [w1.Client, w2.Client];
        await SettledAsync(all);
        var expected = await PostClicksAsync(w1.Client, 24);
        foreach (var client in all)
        {
            await ExpectCountsAsync(client, expected);
        }

        // A key each worker does not own: the POST goes through the other worker and comes back with the body as sent.
        foreach (var client in all)
        {
            var url = Urls.First(u => Authority(client) != OwnerAsync(client, u).GetAwaiter().GetResult());
            const string note = """{"text":"ünïcødé, quotes \" and a / slash","numbers":[1,2.5,-3],"nested":{"ok":true}}""";
            var (status, body, forwardedTo) = await Eventually.UntilAsync(async () =>
            {
                using var response = await client.PostAsync($"/count/{Uri.EscapeDataString(url)}", new StringContent(note, Encoding.UTF8, "application/json"));
                return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(),
                    response.Headers.TryGetValues("Faust-Forwarded-To", out var to) ? to.Single() : null);
            }, r => r.Item1 == 200, $"POST /count/{url} through {Authority(client)}");

            var json = JsonDocument.Parse(body).RootElement;
            Assert.Equal(url, json.GetProperty("url").GetString());
            Assert.Equal(expected[url], json.GetProperty("count").GetInt64());
            Assert.Equal(JsonDocument.Parse(note).RootElement.ToString(), json.GetProperty("note").GetRawText());
            Assert.Equal(await OwnerAsync(client, url), forwardedTo);

            // GET on the same route, forwarded too.
            using var get = await client.GetAsync($"/count/{Uri.EscapeDataString(url)}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(expected[url], (await get.JsonAsync()).GetProperty("count").GetInt64());

            // A routed POST over the size limit is refused before it is forwarded.
            using var tooLarge = await client.PostAsync($"/count/{Uri.EscapeDataString(url)}",
                new StringContent($"{{\"pad\":\"{new string('x', 4096)}\"}}", Encoding.UTF8, "application/json"));
            await tooLarge.AssertProblemAsync(413);
        }

        // Requests marked as forwarded must carry the secret: 401 without it, 403 with a wrong one.
        var path = TablePath(Urls[0]);
        using (var request = new HttpRequestMessage(HttpMethod.Get, path))
        {
            request.Headers.Add("Faust-Forwarded-By", "intruder");
            using var response = await w1.Client.SendAsync(request);
            await response.AssertProblemAsync(401, "cluster secret required");
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, path))
        {
            request.Headers.Add("Faust-Forwarded-By", "intruder");
            request.Headers.Add("Faust-Cluster-Secret", "not-the-cluster-secret");
            using var response = await w1.Client.SendAsync(request);
            await response.AssertProblemAsync(403, "wrong cluster secret");
        }
    }

    [Fact]
    public async Task OwnerUnreachable_TheStandbyAnswersTheOwnersValue_LabelledWithItsLag()
    {
        // w2 publishes a URL nobody listens on, so to w1 it is an owner that cannot be reached, while it goes on owning
        // and counting its partitions. With two workers and one standby replica, w1 stands by for w2's partitions.
        var deadUrl = $"http://127.0.0.1:{DeadPort()}";
        var standbyReads = new Dictionary<string, string?> { ["Faust:Web:StandbyReadMaxLag"] = "0" };
        var w1 = Start("w1", standbyReads);
        var w2 = Start("w2", new Dictionary<string, string?>(standbyReads) { ["Faust:CanonicalUrl"] = deadUrl });
        HttpClient[] all = [w1.Client, w2.Client];
        await SettledAsync(all);
        var expected = await PostClicksAsync(w1.Client, 48);
        await ExpectCountsAsync(w2.Client, expected); // w2 answers every key: its own, or forwarded to w1
        // Committed offsets mean the changelog records of every click are durable (at_least_once flushes first), so a
        // caught-up standby (lag 0, the bound) holds exactly the owner's value.
        await Eventually.UntilAsync(() => Task.FromResult(Lag()), lag => lag == 0, "the group to commit every click");

        var ofW2 = new List<string>();
        foreach (var url in Urls)
        {
            if (await OwnerAsync(w1.Client, url) == deadUrl)
            {
                ofW2.Add(url);
            }
        }

        Assert.NotEmpty(ofW2);
        Assert.NotEqual(Urls.Length, ofW2.Count);

        // At w1 every key of w2 is answered from w1's standby once it has caught up: the owner's count, labelled.
        var wrong = new List<string>();
        await Eventually.UntilAsync(async () =>
        {
            var fromStandby = 0;
            foreach (var url in ofW2)
            {
                using var response = await w1.Client.GetAsync(TablePath(url));
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var standby = response.Headers.TryGetValues("Faust-Standby", out var s) ? s.Single() : null;
                    var lag = response.Headers.TryGetValues("Faust-Standby-Lag", out var l) ? l.Single() : null;
                    if (standby != "true" || lag != "0" || body != expected[url].ToString(CultureInfo.InvariantCulture))
                    {
                        wrong.Add($"{url}: {body}, Faust-Standby {standby}, Faust-Standby-Lag {lag}");
                    }
                    else
                    {
                        fromStandby++;
                    }
                }
                else if (response.StatusCode != HttpStatusCode.ServiceUnavailable || response.Headers.RetryAfter is null)
                {
                    wrong.Add($"{url}: {(int)response.StatusCode} {body}");
                }
            }

            return fromStandby;
        }, n => n == ofW2.Count || wrong.Count > 0, "w1 to answer every key of w2 from its standby", TimeSpan.FromSeconds(60));
        Assert.True(wrong.Count == 0, "wrong standby answers: " + string.Join("; ", wrong.Take(5)) + "\n" + Logs());

        // The owner and w1's own keys are answered as before, without the standby headers; the routed endpoint
        // (MapTableRoute, whose handler reads the table as its owner) never answers from a standby.
        foreach (var url in Urls)
        {
            var client = ofW2.Contains(url) ? w2.Client : w1.Client;
            using var response = await client.GetAsync(TablePath(url));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(expected[url].ToString(CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync());
            Assert.False(response.Headers.Contains("Faust-Standby"), $"{url} at its owner");
        }

        using (var routed = await w1.Client.GetAsync($"/count/{Uri.EscapeDataString(ofW2[0])}"))
        {
            await routed.AssertProblemAsync(503);
            Assert.NotNull(routed.Headers.RetryAfter);
            Assert.False(routed.Headers.Contains("Faust-Standby"));
        }
    }

    [Fact]
    public async Task DashboardCluster_OnEachOfTwoWorkers_ListsBothWithTheirPartitions()
    {
        var w1 = Start("w1");
        var w2 = Start("w2");
        HttpClient[] all = [w1.Client, w2.Client];
        await SettledAsync(all);
        var changelog = $"{_appId}-click_counts-changelog";

        foreach (var (client, self) in new[] { (w1.Client, "w1"), (w2.Client, "w2") })
        {
            // Standbys are placed once the view names both owners: each worker stands by for the other's partitions.
            var cluster = await Eventually.UntilAsync(async () => JsonDocument.Parse(await client.GetStringAsync("/api/cluster")).RootElement,
                c => c.GetProperty("workers").GetArrayLength() == 2
                    && c.GetProperty("workers").EnumerateArray().All(w => w.GetProperty("standbys").TryGetProperty(changelog, out _)),
                $"/api/cluster on {self} to list both workers with their standbys", TimeSpan.FromSeconds(30));

            var workers = cluster.GetProperty("workers").EnumerateArray().ToArray();
            Assert.Equal(["w1", "w2"], workers.Select(w => w.GetProperty("id").GetString()));
            Assert.Equal([self], workers.Where(w => w.GetProperty("self").GetBoolean()).Select(w => w.GetProperty("id").GetString()));
            Assert.Equal(all.Select(Authority), workers.Select(w => w.GetProperty("url").GetString()));
            Assert.All(workers, w => Assert.True(w.GetProperty("generation").GetInt64() > 0));
            var actives = workers.Select(w => w.GetProperty("actives").GetProperty(changelog).EnumerateArray().Select(p => p.GetInt32()).ToArray()).ToArray();
            Assert.Equal(Enumerable.Range(0, MockKafka.Partitions), actives.SelectMany(a => a).Order());
            Assert.All(actives, a => Assert.NotEmpty(a));
            // With one standby replica and two workers, each stands by for exactly the other's partitions.
            Assert.Equal(actives[1], workers[0].GetProperty("standbys").GetProperty(changelog).EnumerateArray().Select(p => p.GetInt32()));
            Assert.Equal(actives[0], workers[1].GetProperty("standbys").GetProperty(changelog).EnumerateArray().Select(p => p.GetInt32()));
            Assert.Empty(cluster.GetProperty("contested").EnumerateObject());
            Assert.True(cluster.GetProperty("complete").GetBoolean());
            Assert.Equal(2, cluster.GetProperty("totals").GetProperty("workers").GetInt32());

            // The Topics view names each changelog partition's active owner and standby, this worker's or the other's.
            var urls = all.Select(Authority).ToArray();
            JsonElement[] ChangelogPartitions(JsonElement topics) =>
                topics.GetProperty("topics").EnumerateArray().Where(t => t.GetProperty("name").GetString() == changelog)
                    .SelectMany(t => t.GetProperty("partitions").EnumerateArray()).ToArray();
            var topics = await Eventually.UntilAsync(async () => JsonDocument.Parse(await client.GetStringAsync("/api/topics")).RootElement,
                t => ChangelogPartitions(t) is { Length: MockKafka.Partitions } ps && ps.All(p => p.GetProperty("standbys").GetArrayLength() > 0),
                $"/api/topics on {self} to list the changelog's partitions with standbys (the monitor samples once a second)", TimeSpan.FromSeconds(30));
            var partitions = ChangelogPartitions(topics);
            foreach (var partition in partitions)
            {
                var p = partition.GetProperty("partition").GetInt32();
                var owner = actives[0].Contains(p) ? 0 : 1;
                Assert.Equal(urls[owner], partition.GetProperty("active").GetString());
                Assert.Equal([urls[1 - owner]], partition.GetProperty("standbys").EnumerateArray().Select(u => u.GetString()));
                Assert.Equal(self == (owner == 0 ? "w1" : "w2"), partition.GetProperty("local").GetBoolean());
            }
        }
    }

    private static int DeadPort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    // Every worker is ready and sees every worker in /router/, their changelog partitions split between them.
    private async Task SettledAsync(HttpClient[] workers)
    {
        foreach (var client in workers)
        {
            await Eventually.UntilAsync(async () =>
            {
                using var ready = await client.GetAsync("/readyz");
                if (ready.StatusCode != HttpStatusCode.OK)
                {
                    return $"/readyz {(int)ready.StatusCode}";
                }

                return await client.GetStringAsync("/router/click_counts/");
            }, body => IsSplit(body, workers.Length), $"{Authority(client)} to be ready and see {workers.Length} workers split the partitions",
                TimeSpan.FromSeconds(60));
        }
    }

    private bool IsSplit(string router, int workers)
    {
        if (!router.StartsWith('{'))
        {
            return false;
        }

        var map = JsonDocument.Parse(router).RootElement.EnumerateObject().ToArray();
        var partitions = map.SelectMany(w => w.Value.GetProperty($"{_appId}-click_counts-changelog").EnumerateArray().Select(p => p.GetInt32())).Order().ToArray();
        return map.Length == workers && map.All(w => w.Value.GetProperty($"{_appId}-click_counts-changelog").GetArrayLength() > 0)
            && partitions.SequenceEqual(Enumerable.Range(0, MockKafka.Partitions));
    }

    private string Logs() => string.Join("\n", _logs.SelectMany(l => l.Dump().Split('\n')).Order(StringComparer.Ordinal));

    private long Lag() =>
        _kafka.HighWatermarks("clicks").Zip(_kafka.Committed(_appId, "clicks")).Sum(p => p.First - Math.Max(p.Second, 0));

    private static async Task<Dictionary<string, long>> PostClicksAsync(HttpClient client, int clicks)
    {
        var posted = Urls.ToDictionary(u => u, _ => 0L);
        for (var i = 0; i < clicks; i++)
        {
            var url = Urls[i % Urls.Length];
            var n = 1 + (i % 3);
            using var response = await client.ProduceAsync("clicks", url, n);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            posted[url] += n;
        }

        return posted;
    }

    private static Task ExpectCountsAsync(HttpClient client, IReadOnlyDictionary<string, long> expected) =>
        client.ExpectCountsAsync("click_counts", expected, TimeSpan.FromSeconds(60));

    private static async Task<string> OwnerAsync(HttpClient client, string url) =>
        await Eventually.UntilAsync(async () =>
        {
            using var response = await client.GetAsync($"/router/click_counts/{Uri.EscapeDataString(url)}/");
            return response.StatusCode == HttpStatusCode.OK ? JsonSerializer.Deserialize<string>(await response.Content.ReadAsStringAsync()) : null;
        }, owner => owner is not null, $"the owner of {url} as {Authority(client)} sees it") ?? "";

    private static string TablePath(string url) => Http.TablePath("click_counts", url);

    private static string Authority(HttpClient client) => client.BaseAddress!.GetLeftPart(UriPartial.Authority);

    private static int PartitionOf(string url) => MockKafka.PartitionOf(url);
}
