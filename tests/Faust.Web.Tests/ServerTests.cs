using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Faust.Web.Tests;

// Health, readiness, the OpenAPI document and what unknown routes answer.
public sealed class ServerTests : IDisposable
{
    private readonly FaustWebFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Readyz_Is200_OnceTablesHaveRecovered()
    {
        var client = _factory.CreateClient();

        await Eventually.UntilAsync(async () => (await client.GetAsync("/readyz")).StatusCode, status => status == HttpStatusCode.OK, "/readyz to answer 200");
    }

    [Fact]
    public async Task Healthz_Is200_WhileTheWorkerPolls()
    {
        var client = _factory.CreateClient();

        using var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SwaggerDocument_DescribesTheFaustEndpoints()
    {
        var client = _factory.CreateClient();

        using var response = await client.GetAsync("/swagger/v1/swagger.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = (await response.JsonAsync()).GetProperty("paths");
        foreach (var path in new[] { "/table", "/table/{name}", "/table/{name}/{key}", "/router", "/router/{table}/{key}", "/assignment", "/topics/{name}" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"swagger.json should describe {path}");
        }
    }

    [Fact]
    public async Task SwaggerUi_IsServed_AndTheRootServesTheDashboard()
    {
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var root = await client.GetAsync("/");
        using var ui = await client.GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>Faust.NET dashboard</title>", await root.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Equal("text/html", ui.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/no/such/route")]
    [InlineData("/table/click_counts/a/b/c/")]
    public async Task UnknownRoute_Is404Problem(string path)
    {
        var client = _factory.CreateClient();

        using var response = await client.GetAsync(path);

        await response.AssertProblemAsync(404);
    }
}
