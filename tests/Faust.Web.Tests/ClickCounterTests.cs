using System.Net;

namespace Faust.Web.Tests;

// The seed's page-view counter, end to end over HTTP: produce clicks, read the counts back.
public sealed class ClickCounterTests : IDisposable
{
    private readonly FaustWebFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Clicks_PostedOverHttp_AreCountedPerUrl()
    {
        var client = await _factory.CreateReadyClientAsync();
        var random = new Random(42);
        var expected = new Dictionary<string, long>();
        for (var i = 0; i < 1000; i++)
        {
            var url = $"https://example.com/page/{random.Next(50)}";
            var n = random.Next(1, 4);
            expected[url] = expected.GetValueOrDefault(url) + n;
            using var response = await client.ProduceAsync("clicks", url, n);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Equal(50, expected.Count);
        foreach (var (url, count) in expected)
        {
            await Eventually.UntilAsync(
                () => client.ReadTableAsync("click_counts", url),
                body => body == count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"GET /table/click_counts/{Uri.EscapeDataString(url)}/ to return {count}");
        }
    }

    [Fact]
    public async Task UnseenUrl_ReadsAsTheTableDefault()
    {
        var client = await _factory.CreateReadyClientAsync();

        using var response = await client.GetAsync("/table/click_counts/https%3A%2F%2Fexample.com%2Fnever-seen/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("0", await response.Content.ReadAsStringAsync());
    }
}
