using System.Globalization;
using System.Net;

namespace Faust.Web.Tests.Kafka;

// Kafka tests wait on rebalances and share two cores with the rest of the suite: they run alone, one at a time.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KafkaCollection
{
    public const string Name = "kafka mock cluster";
}

// The sample server (Program.cs) unchanged, with Faust:Broker=kafka://<mock>: the seed's page-view counter end to
// end over the Kafka protocol, and a restarted worker.
[Collection(KafkaCollection.Name)]
public sealed class KafkaClickCounterTests : IAsyncLifetime
{
    private static readonly string[] Urls = [.. Enumerable.Range(0, 16).Select(i => $"https://example.com/page/{i}")];
    private readonly MockKafka _kafka = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "faust-web-kafka", Guid.NewGuid().ToString("N"));
    private readonly string _appId = $"web-kafka-{Guid.NewGuid():N}"[..20];

    public Task InitializeAsync() => _kafka.CreateSampleTopicsAsync(_appId);

    public Task DisposeAsync()
    {
        _kafka.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        return Task.CompletedTask;
    }

    // A worker of the app, with its state in a directory of its own.
    private FaustWebFactory Worker(string name) => new(_kafka.Settings(Path.Combine(_root, name)), appId: _appId);

    [Fact]
    public async Task Clicks_PostedOverHttp_FlowThroughKafka_ToTheTable_AndItsChangelog()
    {
        await using var worker = Worker("w1");
        var client = await worker.CreateReadyClientAsync();

        var expected = await PostClicksAsync(client, 120, seed: 1);

        await ExpectCountsAsync(client, expected);
        // Each URL's last changelog record holds its count, on the partition of its key (= the click's partition).
        await Eventually.UntilAsync(() => Task.FromResult(ChangelogState()), state => state == Describe(expected),
            "the changelog's last record per URL to hold its count, on the key's partition");
        await Eventually.UntilAsync(() => Task.FromResult(Lag()), lag => lag == 0, "the group's committed offsets to reach the end of 'clicks'");
    }

    [Fact]
    public async Task Ask_WhenTheBrokerCannotCreateTheReplyTopic_Answers503NamingIt()
    {
        // The mock has no CreateTopics API, like a broker that denies this worker the right to create topics.
        await using var worker = Worker("w1");
        var client = await worker.CreateReadyClientAsync();

        using var response = await client.GetAsync("/samples/word-count/kafka");

        var problem = await response.AssertProblemAsync(503, "reply topic missing");
        var topic = problem.GetProperty("topic").GetString()!;
        Assert.StartsWith("f-reply-", topic, StringComparison.Ordinal);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains($"'{topic}'", detail, StringComparison.Ordinal);
        Assert.Contains("Faust:ReplyTopic", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_WithAReplyTopicCreatedBeforehand_GetsItsReply()
    {
        _kafka.CreateTopic("web-replies-w1", 1);
        var settings = _kafka.Settings(Path.Combine(_root, "w1"));
        settings["Faust:ReplyTopic"] = "web-replies-w1";
        await using var worker = new FaustWebFactory(settings, appId: _appId);
        var client = await worker.CreateReadyClientAsync();

        using var sentence = await client.ProduceAsync("sentences", "s1", "Kafka says kafka.");
        Assert.Equal(HttpStatusCode.Accepted, sentence.StatusCode);

        // The count agents work asynchronously: ask until the reply holds both words.
        await Eventually.UntilAsync(() => client.GetStringAsync("/samples/word-count/kafka"), reply => reply == "2", "the word_lookup agent to answer 2 for 'kafka'");
    }

    [Fact]
    public async Task RestartedWorker_ResumesFromCommittedOffsets_WithItsTablesRecoveredFromTheChangelog()
    {
        Dictionary<string, long> expected;
        await using (var first = Worker("w1"))
        {
            var client = await first.CreateReadyClientAsync();
            expected = await PostClicksAsync(client, 80, seed: 2);
            await ExpectCountsAsync(client, expected);
            await Eventually.UntilAsync(() => Task.FromResult(Lag()), lag => lag == 0, "the first worker to commit every click it counted");
        }

        // Same group, empty data directory: its RocksDB tables can only come from the changelog.
        var secondData = Path.Combine(_root, "w2");
        Assert.False(Directory.Exists(secondData));
        await using var second = Worker("w2");
        var restarted = await second.CreateReadyClientAsync();
        await ExpectCountsAsync(restarted, expected);

        // New clicks on every URL: each partition's new clicks come after its old ones, so a worker that re-read
        // 'clicks' from the start instead of the committed offsets would have counted the old ones twice by now.
        foreach (var (url, n) in await PostClicksAsync(restarted, 48, seed: 3, everyUrl: true))
        {
            expected[url] += n;
        }

        await ExpectCountsAsync(restarted, expected);
        Assert.True(Directory.Exists(Path.Combine(secondData, "v1", "tables")), "the restarted worker keeps its tables under its own data directory");
    }

    private static async Task<Dictionary<string, long>> PostClicksAsync(HttpClient client, int clicks, int seed, bool everyUrl = false)
    {
        var random = new Random(seed);
        var posted = Urls.ToDictionary(u => u, _ => 0L);
        for (var i = 0; i < clicks; i++)
        {
            var url = everyUrl && i < Urls.Length ? Urls[i] : Urls[random.Next(Urls.Length)];
            var n = random.Next(1, 4);
            using var response = await client.ProduceAsync("clicks", url, n);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            // The HTTP producer partitions as Kafka's clients do (murmur2 of the key bytes).
            Assert.Equal(PartitionOf(url), (await response.JsonAsync()).GetProperty("partition").GetInt32());
            posted[url] += n;
        }

        return posted;
    }

    private static Task ExpectCountsAsync(HttpClient client, IReadOnlyDictionary<string, long> expected) =>
        client.ExpectCountsAsync("click_counts", expected);

    private static int PartitionOf(string url) => MockKafka.PartitionOf(url);

    private long Lag() =>
        _kafka.HighWatermarks("clicks").Zip(_kafka.Committed(_appId, "clicks")).Sum(p => p.First - Math.Max(p.Second, 0));

    private string ChangelogState()
    {
        var last = new Dictionary<string, (int Partition, string? Value)>();
        foreach (var (partition, key, value) in _kafka.ReadAll($"{_appId}-click_counts-changelog"))
        {
            last[key] = (partition, value);
        }

        return string.Join(", ", last.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}@{kv.Value.Partition}={kv.Value.Value}"));
    }

    private static string Describe(IReadOnlyDictionary<string, long> expected) =>
        string.Join(", ", expected.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key}@{PartitionOf(kv.Key)}={kv.Value.ToString(CultureInfo.InvariantCulture)}"));
}
