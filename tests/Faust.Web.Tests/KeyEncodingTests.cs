using System.Net;
using System.Text.Json;

namespace Faust.Web.Tests;

// DESIGN decision 9: a key in a path may hold any character. Run against Kestrel, the server that keeps %2F
// encoded in the path, so what is tested is what a client of the real server gets.
public sealed class KeyEncodingTests : IDisposable
{
    private readonly FaustWebFactory _factory = new(kestrel: true);

    public void Dispose() => _factory.Dispose();

    public static TheoryData<string, string> Keys => new()
    {
        { "https://example.com/page/0", "https%3A%2F%2Fexample.com%2Fpage%2F0" },
        { "a/b", "a%2Fb" },
        { "%", "%25" },
        { "%2F", "%252F" },
        { "100%", "100%25" },
        { "ünïcødé", "%C3%BC%6E%C3%AF%63%C3%B8%64%C3%A9" },
        { "two words", "two%20words" },
        { "a+b", "a+b" },
        { "a+b", "a%2Bb" },
        { "?q=1&r=#frag", "%3Fq%3D1%26r%3D%23frag" },
        { "...x", "%2E%2E.x" },
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task TableLookup_DecodesTheKeySegment_ExactlyOnce(string key, string encoded)
    {
        _factory.StartServer();
        var client = await _factory.CreateReadyClientAsync();
        using (var produced = await client.ProduceAsync("clicks", key, 7))
        {
            Assert.Equal(HttpStatusCode.Accepted, produced.StatusCode);
        }

        var path = $"/table/click_counts/{encoded}/";
        await Eventually.UntilAsync(async () =>
        {
            using var response = await client.GetAsync(path);
            return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }, body => body == "200 7", $"GET {path} to read key {JsonSerializer.Serialize(key)} as 7");
    }

    [Fact]
    public async Task RouterOfKey_DecodesTheKeyLikeTheTable_AndAnswersTheServersOwnAddress()
    {
        _factory.StartServer();
        var client = await _factory.CreateReadyClientAsync();

        using var response = await client.GetAsync("/router/click_counts/https%3A%2F%2Fexample.com%2Fpage%2F0/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var owner = JsonSerializer.Deserialize<string>(await response.Content.ReadAsStringAsync());
        Assert.Equal(client.BaseAddress!.GetLeftPart(UriPartial.Authority), owner);
        Assert.StartsWith("http://127.0.0.1:", owner);
    }

    [Fact]
    public async Task MalformedPercentEncoding_Is400()
    {
        _factory.StartServer();
        var client = await _factory.CreateReadyClientAsync();

        using var response = await client.GetAsync("/table/click_counts/%C3%28/");

        await response.AssertProblemAsync(400, "invalid key");
    }
}
