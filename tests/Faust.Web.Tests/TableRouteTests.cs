using System.Net;
using System.Text;

namespace Faust.Web.Tests;

// MapTableRoute on one worker (memory://, which holds every partition): the handler runs here, with the key decoded
// once, a POST's body bound as sent, and the size limit applied before the handler reads anything.
public sealed class TableRouteTests : IDisposable
{
    private readonly FaustWebFactory _factory = new(new Dictionary<string, string?> { ["Faust:Web:MaxRequestBodyBytes"] = "256" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Get_RunsTheHandlerOnTheOwner_WithTheKeyDecodedOnce()
    {
        var client = await _factory.CreateReadyClientAsync();
        const string url = "https://example.com/a/b?c=d";
        using (var produced = await client.ProduceAsync("clicks", url, 5))
        {
            Assert.Equal(HttpStatusCode.Accepted, produced.StatusCode);
        }

        var body = await Eventually.UntilAsync(async () =>
        {
            using var response = await client.GetAsync($"/count/{Uri.EscapeDataString(url)}");
            return await response.JsonAsync();
        }, json => json.TryGetProperty("count", out var count) && count.GetInt64() == 5, "GET /count/{url} to read 5");

        Assert.Equal(url, body.GetProperty("url").GetString());
    }

    [Fact]
    public async Task Post_BindsTheBodyAsSent_AndOverTheLimitIs413()
    {
        var client = await _factory.CreateReadyClientAsync();
        const string note = """{"text":"héllo / wörld","n":[1,2]}""";

        using var response = await client.PostAsync("/count/k1", new StringContent(note, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Faust-Forwarded-To"), "a key this worker holds is answered here");
        var json = await response.JsonAsync();
        Assert.Equal("k1", json.GetProperty("url").GetString());
        Assert.Equal(0, json.GetProperty("count").GetInt64());
        Assert.Equal(note, json.GetProperty("note").GetRawText());

        using var tooLarge = await client.PostAsync("/count/k1", new StringContent($"{{\"pad\":\"{new string('x', 300)}\"}}", Encoding.UTF8, "application/json"));
        await tooLarge.AssertProblemAsync(413);
    }

    [Fact]
    public async Task ForwardedRequest_IsServedByTheOwner()
    {
        var client = await _factory.CreateReadyClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/table/click_counts/nobody/");
        request.Headers.Add("Faust-Forwarded-By", "another-worker");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("0", await response.Content.ReadAsStringAsync());
    }
}
