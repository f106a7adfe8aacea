using System.Net;
using System.Text.Json;

namespace Faust.Web.Tests.Dashboard;

// The dashboard's JSON API after known traffic: the sample server's click counter, on the in-memory broker.
public sealed class DashboardApiTests : IDisposable
{
    private readonly FaustWebFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Overview_AfterClicks_CountsEventsAndShowsARate()
    {
        var client = await _factory.CreateReadyClientAsync();
        await PostClicksAsync(client, 40, urls: 8);

        var overview = await Eventually.UntilAsync(() => GetJsonAsync(client, "/api/overview"),
            o => o.GetProperty("totals").GetProperty("events").GetInt64() == 40 && Number(o.GetProperty("rates"), "eventsPerSecond") > 0
                && o.GetProperty("totals").GetProperty("sent").GetInt64() >= 48,
            "/api/overview to count 40 events with events/s above 0, and their changelog records sent");

        var worker = overview.GetProperty("worker");
        Assert.False(string.IsNullOrWhiteSpace(worker.GetProperty("id").GetString()));
        Assert.StartsWith("http", worker.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal(_factory.AppId, worker.GetProperty("app").GetString());
        Assert.Equal("memory://", worker.GetProperty("broker").GetString());
        Assert.Equal("running", overview.GetProperty("state").GetString());
        Assert.True(overview.GetProperty("ready").GetBoolean());
        Assert.Equal(1, overview.GetProperty("generation").GetInt32());
        Assert.True(overview.GetProperty("uptimeSeconds").GetDouble() >= 0);
        Assert.Equal(40, overview.GetProperty("totals").GetProperty("received").GetInt64());
        Assert.Equal(0, overview.GetProperty("totals").GetProperty("errors").GetInt64());

        // 40 records produced to clicks over HTTP, and a changelog record per key and commit: 8 to 40 of them.
        Assert.InRange(overview.GetProperty("totals").GetProperty("sent").GetInt64(), 48, 80);
        var history = overview.GetProperty("history");
        var length = history.GetProperty("time").GetArrayLength();
        Assert.True(length >= 1, "the history holds at least one second");
        foreach (var series in new[] { "eventsPerSecond", "receivedPerSecond", "sentPerSecond", "lag" })
        {
            Assert.Equal(length, history.GetProperty(series).GetArrayLength());
        }

        Assert.True(history.GetProperty("eventsPerSecond").EnumerateArray().Sum(v => v.GetDouble()) > 0, "some second of the history saw events");
        Assert.Equal(JsonValueKind.Array, overview.GetProperty("unknown").ValueKind);
    }

    [Fact]
    public async Task Agents_AfterClicks_ReportTheProcessedCountAndTimings()
    {
        var client = await _factory.CreateReadyClientAsync();
        await PostClicksAsync(client, 25, urls: 5);

        var agents = await Eventually.UntilAsync(() => GetJsonAsync(client, "/api/agents"),
            a => Agent(a, "count_click").GetProperty("processed").GetInt64() == 25, "/api/agents to report 25 events processed by count_click");

        var counter = Agent(agents, "count_click");
        Assert.Equal("clicks", counter.GetProperty("source").GetString());
        Assert.Equal("topic", counter.GetProperty("sourceKind").GetString());
        Assert.Equal(1, counter.GetProperty("concurrency").GetInt32());
        Assert.True(counter.GetProperty("timedEvents").GetInt64() > 0, "events are timed");
        Assert.True(counter.GetProperty("meanMsTotal").GetDouble() >= 0);
        Assert.True(counter.GetProperty("p99MsTotal").GetDouble() >= 0);
        Assert.Equal(0, counter.GetProperty("errors").GetInt64());
        Assert.Equal(JsonValueKind.Null, counter.GetProperty("lastError").ValueKind);
        Assert.Equal(0, Agent(agents, "process_order").GetProperty("processed").GetInt64());
    }

    [Fact]
    public async Task Tables_AfterClicks_CountKeysOperationsAndPartitions()
    {
        var client = await _factory.CreateReadyClientAsync();
        await PostClicksAsync(client, 30, urls: 6);

        var table = await Eventually.UntilAsync(() => GetJsonAsync(client, "/api/tables/click_counts"),
            t => t.GetProperty("sets").GetInt64() == 30, "/api/tables/click_counts to count 30 sets");

        Assert.Equal(6, table.GetProperty("keyCount").GetInt32());
        Assert.True(table.GetProperty("gets").GetInt64() >= 30, "each click reads the count before writing it");
        Assert.Equal(0, table.GetProperty("deletes").GetInt64());
        Assert.Equal(_factory.Changelog("click_counts"), table.GetProperty("changelogTopic").GetString());
        Assert.Equal(8, table.GetProperty("partitionCount").GetInt32());
        Assert.Equal(Enumerable.Range(0, 8), table.GetProperty("localPartitions").EnumerateArray().Select(p => p.GetInt32()));
        Assert.True(table.GetProperty("hasDefault").GetBoolean());
        var recovery = table.GetProperty("recovery");
        Assert.False(recovery.GetProperty("inProgress").GetBoolean());
        Assert.Equal(8, recovery.GetProperty("partitions").GetArrayLength());
        Assert.All(recovery.GetProperty("partitions").EnumerateArray(), p => Assert.True(p.GetProperty("done").GetBoolean()));

        using var list = await client.GetAsync("/api/tables");
        using var declared = await client.GetAsync("/table/");
        Assert.Equal((await declared.JsonAsync()).GetArrayLength(), (await list.JsonAsync()).GetArrayLength());
        using var unknown = await client.GetAsync("/api/tables/nope");
        await unknown.AssertProblemAsync(404, "unknown table");
    }

    [Fact]
    public async Task Lookup_ReturnsTheValueItsPartitionAndTheWorkerThatServedIt()
    {
        var client = await _factory.CreateReadyClientAsync();
        const string url = "https://example.com/page/0";
        for (var i = 0; i < 3; i++)
        {
            using var posted = await client.ProduceAsync("clicks", url, 2);
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        var lookupPath = $"/api/tables/click_counts/lookup?key={Uri.EscapeDataString(url)}";
        var lookup = await Eventually.UntilAsync(() => GetJsonAsync(client, lookupPath),
            l => l.GetProperty("value").GetInt64() == 6, $"{lookupPath} to return 6");
        var overview = await GetJsonAsync(client, "/api/overview");
        var workerId = overview.GetProperty("worker").GetProperty("id").GetString();

        Assert.Equal("click_counts", lookup.GetProperty("table").GetString());
        Assert.Equal(url, lookup.GetProperty("key").GetString());
        Assert.Equal("found", lookup.GetProperty("status").GetString());
        Assert.Equal(3, lookup.GetProperty("partition").GetInt32()); // murmur2 of the URL, 8 partitions (DESIGN decision 2)
        Assert.Equal(workerId, lookup.GetProperty("servedBy").GetProperty("id").GetString());
        Assert.Equal(overview.GetProperty("worker").GetProperty("url").GetString(), lookup.GetProperty("servedBy").GetProperty("url").GetString());
        using var response = await client.GetAsync(lookupPath);
        Assert.Equal(workerId, response.Headers.GetValues("Faust-Served-By").Single());
    }

    [Fact]
    public async Task Lookup_SaysWhatIsWrong_ForMissingKeysAndUnknownTables()
    {
        var client = await _factory.CreateReadyClientAsync();

        var missing = await GetJsonAsync(client, "/api/tables/click_counts/lookup?key=https%3A%2F%2Fnever.example%2F");
        using var noDefault = await client.GetAsync("/api/tables/last_order/lookup?key=nobody");
        using var noKey = await client.GetAsync("/api/tables/click_counts/lookup");
        using var noTable = await client.GetAsync("/api/tables/nope/lookup?key=x");

        Assert.Equal("default", missing.GetProperty("status").GetString());
        Assert.Equal(0, missing.GetProperty("value").GetInt64());
        await noDefault.AssertProblemAsync(404, "key not found");
        await noKey.AssertProblemAsync(400, "invalid key");
        await noTable.AssertProblemAsync(404, "unknown table");
    }

    [Fact]
    public async Task Keys_PageThroughEveryLocalKey_AndFilterByPartition()
    {
        var client = await _factory.CreateReadyClientAsync();
        await PostClicksAsync(client, 30, urls: 30);
        await Eventually.UntilAsync(() => GetJsonAsync(client, "/api/tables/click_counts"),
            t => t.GetProperty("keyCount").GetInt32() == 30, "30 keys in click_counts");

        var seen = new HashSet<string>();
        for (var offset = 0; offset < 30; offset += 10)
        {
            var page = await GetJsonAsync(client, $"/api/tables/click_counts/keys?offset={offset}&limit=10");
            Assert.Equal(30, page.GetProperty("total").GetInt32());
            Assert.Equal(10, page.GetProperty("items").GetArrayLength());
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                Assert.True(seen.Add(item.GetProperty("key").GetString()!), "a key appears on one page only");
                Assert.Equal(1, item.GetProperty("value").GetInt64());
            }
        }

        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"https://example.com/page/{i}").ToHashSet(), seen);
        var partition3 = await GetJsonAsync(client, "/api/tables/click_counts/keys?partition=3&limit=500");
        Assert.All(partition3.GetProperty("items").EnumerateArray(), item => Assert.Equal(3, item.GetProperty("partition").GetInt32()));
        Assert.Contains(partition3.GetProperty("items").EnumerateArray(), item => item.GetProperty("key").GetString() == "https://example.com/page/0");
        using var badLimit = await client.GetAsync("/api/tables/click_counts/keys?limit=0");
        await badLimit.AssertProblemAsync(400, "invalid query");
    }

    [Fact]
    public async Task Topics_ShowEveryPartitionWithOffsetsOwnerAndLag()
    {
        var client = await _factory.CreateReadyClientAsync();
        await PostClicksAsync(client, 24, urls: 8);

        // Once the agent's offsets are committed, every partition of clicks has lag 0 and committed == end.
        var topics = await Eventually.UntilAsync(() => GetJsonAsync(client, "/api/topics"),
            t => t.GetProperty("topics").EnumerateArray().Any(topic => topic.GetProperty("name").GetString() == "clicks")
                && Topic(t, "clicks").GetProperty("partitions").EnumerateArray().Sum(p => p.GetProperty("received").GetInt64()) == 24
                && t.GetProperty("totalLag").ValueKind == JsonValueKind.Number && t.GetProperty("totalLag").GetInt64() == 0
                && Topic(t, "clicks").GetProperty("partitions").EnumerateArray().Sum(p => OrZero(p.GetProperty("committedOffset"))) == 24,
            "/api/topics to show 24 records received and committed on clicks, lag 0");

        var clicks = Topic(topics, "clicks");
        var url = (await GetJsonAsync(client, "/api/overview")).GetProperty("worker").GetProperty("url").GetString();
        Assert.Equal("source", clicks.GetProperty("kind").GetString());
        Assert.Equal(8, clicks.GetProperty("partitionCount").GetInt32());
        Assert.All(clicks.GetProperty("partitions").EnumerateArray(), p =>
        {
            Assert.Equal(url, p.GetProperty("active").GetString());
            Assert.True(p.GetProperty("local").GetBoolean());
            Assert.Equal(p.GetProperty("endOffset").GetInt64(), OrZero(p.GetProperty("committedOffset"))); // null: nothing to commit yet
            Assert.Equal(0, p.GetProperty("lag").GetInt64());
            Assert.Equal(JsonValueKind.Null, p.GetProperty("stalledSeconds").ValueKind); // nothing waits, nothing stalls
        });

        var changelog = Topic(topics, _factory.Changelog("click_counts"));
        Assert.Equal("changelog", changelog.GetProperty("kind").GetString());
        Assert.Equal("click_counts", changelog.GetProperty("table").GetString());
        // One changelog record per key and commit (the changelog buffer folds repeated writes): 8 to 24 of them, and
        // each one is in the changelog.
        Assert.InRange(changelog.GetProperty("partitions").EnumerateArray().Sum(p => p.GetProperty("sent").GetInt64()), 8, 24);
        Assert.All(changelog.GetProperty("partitions").EnumerateArray(), p => Assert.Equal(p.GetProperty("endOffset").GetInt64(), p.GetProperty("sent").GetInt64()));
    }

    [Fact]
    public async Task Cluster_ListsThisWorkerWithItsPartitions()
    {
        var client = await _factory.CreateReadyClientAsync();

        var cluster = await GetJsonAsync(client, "/api/cluster");

        var worker = Assert.Single(cluster.GetProperty("workers").EnumerateArray());
        Assert.True(worker.GetProperty("self").GetBoolean());
        Assert.True(worker.GetProperty("reachable").GetBoolean());
        Assert.Equal("running", worker.GetProperty("state").GetString());
        Assert.Equal(Enumerable.Range(0, 8), worker.GetProperty("actives").GetProperty("clicks").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal(Enumerable.Range(0, 8),
            worker.GetProperty("actives").GetProperty(_factory.Changelog("click_counts")).EnumerateArray().Select(p => p.GetInt32()));
        Assert.True(cluster.GetProperty("complete").GetBoolean(), "on memory:// this worker is the whole cluster");
        Assert.Equal(1, cluster.GetProperty("totals").GetProperty("workers").GetInt32());
        Assert.NotEmpty(cluster.GetProperty("notes").EnumerateArray());
    }

    [Fact]
    public async Task Stream_PushesAnUpdateEachSecond_WithTheOverviewNumbers()
    {
        var client = await _factory.CreateReadyClientAsync();
        await PostClicksAsync(client, 5, urls: 5);
        await Eventually.UntilAsync(() => GetJsonAsync(client, "/api/overview"),
            o => o.GetProperty("totals").GetProperty("events").GetInt64() == 5, "the overview to count 5 events");

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await client.GetAsync("/api/stream", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));

        // Read updates until two of them carry different samples: the stream keeps pushing as the monitor samples.
        var updates = new List<JsonElement>();
        string? eventType = null;
        while (updates.Select(u => u.GetProperty("time").GetDateTimeOffset()).Distinct().Count() < 2)
        {
            var line = await reader.ReadLineAsync(cancel.Token) ?? throw new InvalidOperationException("The stream ended.");
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventType = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                Assert.Equal("update", eventType);
                updates.Add(JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone());
            }
        }

        Assert.All(updates, u =>
        {
            Assert.Equal("running", u.GetProperty("state").GetString());
            Assert.Equal(5, u.GetProperty("eventsTotal").GetInt64());
            Assert.Equal(1, u.GetProperty("generation").GetInt32());
            Assert.Equal("count_click", u.GetProperty("agents").EnumerateArray().First().GetProperty("name").GetString());
        });
    }

    [Fact]
    public async Task DashboardFiles_AreServed_WithTheChartingLibrary()
    {
        var client = await _factory.CreateReadyClientAsync();

        using var index = await client.GetAsync("/");
        using var app = await client.GetAsync("/js/app.js");
        using var css = await client.GetAsync("/css/dashboard.css");
        using var uplot = await client.GetAsync("/vendor/uplot/uPlot.esm.js");

        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Contains("js/app.js", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("text/javascript", app.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, uplot.StatusCode);
        Assert.Contains("uPlot.js (μPlot)", await uplot.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    internal static async Task PostClicksAsync(HttpClient client, int count, int urls)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await client.ProduceAsync("clicks", $"https://example.com/page/{i % urls}", 1);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    internal static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static JsonElement Agent(JsonElement agents, string name) =>
        agents.EnumerateArray().Single(a => a.GetProperty("name").GetString() == name);

    private static JsonElement Topic(JsonElement topics, string name) =>
        topics.GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("name").GetString() == name);

    private static long OrZero(JsonElement value) => value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    private static double Number(JsonElement parent, string property) =>
        parent.GetProperty(property).ValueKind == JsonValueKind.Number ? parent.GetProperty(property).GetDouble() : double.NaN;
}
