using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Faust.Web.Tests;

public sealed class TopicEndpointTests : IDisposable
{
    private readonly FaustWebFactory _factory = new(new Dictionary<string, string?> { ["Faust:Web:MaxRequestBodyBytes"] = "4096" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Produce_Is202_WithTopicPartitionAndOffset()
    {
        var client = await _factory.CreateReadyClientAsync();

        using var first = await client.PostJsonAsync("/topics/clicks", """{"key": "https://example.com/page/0", "value": 1}""");
        using var second = await client.PostJsonAsync("/topics/clicks", """{"key": "https://example.com/page/0", "value": 2}""");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var delivered = await second.JsonAsync();
        Assert.Equal("clicks", delivered.GetProperty("topic").GetString());
        Assert.Equal(3, delivered.GetProperty("partition").GetInt32()); // murmur2 of the URL, of 8 (DESIGN decision 2)
        Assert.Equal((await first.JsonAsync()).GetProperty("offset").GetInt64() + 1, delivered.GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task ProduceToUnknownTopic_Is404()
    {
        var client = await _factory.CreateReadyClientAsync();

        using var response = await client.PostJsonAsync("/topics/no-such-topic", """{"key": "k", "value": 1}""");

        var problem = await response.AssertProblemAsync(404, "unknown topic");
        Assert.Equal("no-such-topic", problem.GetProperty("topic").GetString());
    }

    [Fact]
    public async Task ProduceToAChangelog_Is404_EvenThoughTheTopicExists()
    {
        var client = await _factory.CreateReadyClientAsync();
        var changelog = _factory.Changelog("click_counts");
        var routed = await (await client.GetAsync("/router/")).JsonAsync();
        Assert.True(routed.EnumerateObject().Single().Value.TryGetProperty(changelog, out _), $"{changelog} should exist");

        using var response = await client.PostJsonAsync($"/topics/{changelog}", """{"key": "k", "value": 1}""");

        await response.AssertProblemAsync(404, "unknown topic");
    }

    [Theory]
    [InlineData("{\"key\": \"u\", \"value\": ")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task InvalidJson_Is400(string body)
    {
        var client = await _factory.CreateReadyClientAsync();

        using var response = await client.PostJsonAsync("/topics/clicks", body);

        await response.AssertProblemAsync(400, "invalid body");
    }

    [Theory]
    [InlineData("""{"key": "u"}""", "value")]
    [InlineData("""{"key": "u", "value": "abc"}""", "value")]
    [InlineData("""{"key": "u", "value": 1.5}""", "value")]
    [InlineData("""{"key": "u", "value": null}""", "value")]
    [InlineData("""{"key": 42, "value": 1}""", "key")]
    public async Task KeyOrValueNotOfTheTopicsType_Is400_NamingTheField(string body, string field)
    {
        var client = await _factory.CreateReadyClientAsync();

        using var response = await client.PostJsonAsync("/topics/clicks", body);

        var problem = await response.AssertProblemAsync(400, "invalid body");
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Contains($"'{field}'", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task BodyNotAnObject_Is400()
    {
        var client = await _factory.CreateReadyClientAsync();

        using var response = await client.PostJsonAsync("/topics/clicks", "[1, 2]");

        await response.AssertProblemAsync(400, "invalid body");
    }

    [Fact]
    public async Task BodyOverTheLimit_Is413()
    {
        var client = await _factory.CreateReadyClientAsync();
        var body = $$"""{"key": "{{new string('k', 5000)}}", "value": 1}""";

        using var response = await client.PostJsonAsync("/topics/clicks", body);

        await response.AssertProblemAsync(413, "body too large");
    }

    [Fact]
    public async Task BodyOverTheLimit_SentInChunks_Is413()
    {
        using var kestrel = new FaustWebFactory(new Dictionary<string, string?> { ["Faust:Web:MaxRequestBodyBytes"] = "4096" }, kestrel: true);
        kestrel.StartServer();
        var client = await kestrel.CreateReadyClientAsync();
        var bytes = Encoding.UTF8.GetBytes($$"""{"key": "{{new string('k', 50_000)}}", "value": 1}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/topics/clicks") { Content = new ChunkedJsonContent(bytes) };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        await response.AssertProblemAsync(413, "body too large");
    }

    [Fact]
    public async Task BodyThatIsNotJsonContent_Is415Problem()
    {
        var client = await _factory.CreateReadyClientAsync();

        using var response = await client.PostAsync("/topics/clicks", new StringContent("""{"key": "u", "value": 1}""", Encoding.UTF8, "text/plain"));

        await response.AssertProblemAsync(415);
    }

    // A body whose length is not known up front, so it travels chunked, without Content-Length.
    private sealed class ChunkedJsonContent : HttpContent
    {
        private readonly byte[] _data;

        public ChunkedJsonContent(byte[] data)
        {
            _data = data;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (var i = 0; i < _data.Length; i += 1024)
            {
                await stream.WriteAsync(_data.AsMemory(i, Math.Min(1024, _data.Length - i)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
