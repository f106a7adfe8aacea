using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Faust.Dashboard.Tests;

// The dashboard in a real browser (Debian's Chromium through Playwright) against the sample server on Kestrel: it
// loads without console errors, shows the worker, its counters and charts move when clicks are posted, a table
// lookup through the form shows the value and the worker that served it, and every view is reachable by keyboard.
// Screenshots of each view are saved under the test output's screenshots/ folder (FAUST_SCREENSHOTS overrides it).
public sealed class DashboardBrowserTests : IClassFixture<BrowserFixture>, IClassFixture<DashboardServerFixture>
{
    private readonly BrowserFixture _browser;
    private readonly DashboardServerFixture _server;
    private readonly ITestOutputHelper _output;

    static DashboardBrowserTests() => SetDefaultExpectTimeout(30_000);

    public DashboardBrowserTests(BrowserFixture browser, DashboardServerFixture server, ITestOutputHelper output)
    {
        _browser = browser;
        _server = server;
        _output = output;
    }

    private static string ScreenshotDirectory =>
        Environment.GetEnvironmentVariable("FAUST_SCREENSHOTS") is { Length: > 0 } dir ? dir : Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task Overview_ShowsTheWorker_AndCountersAndChartsMoveWhenClicksArePosted()
    {
        var client = _server.Client;
        var overview = await GetJsonAsync(client, "api/overview");
        var workerId = overview.GetProperty("worker").GetProperty("id").GetString()!;

        // The tests of the class share the server: clicks an earlier test posted may not be counted or sampled yet.
        var eventsBefore = await SettledEventsAsync(client);
        await using var session = await OpenAsync(1280, 1000);
        var page = session.Page;

        await page.GotoAsync(_server.Address.ToString());

        await Expect(page.Locator("#worker-id")).ToHaveTextAsync(workerId);
        await Expect(page.Locator("#worker-url")).ToHaveTextAsync(_server.Address.ToString().TrimEnd('/'));
        await Expect(page.Locator("#worker-state")).ToHaveTextAsync("running");
        await Expect(page.Locator("#state-badge")).ToHaveAttributeAsync("data-state", "running");
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "live");
        foreach (var chart in new[] { "#chart-events", "#chart-sends" })
        {
            var canvas = page.Locator($"{chart} canvas");
            await Expect(canvas).ToHaveCountAsync(1);
            var box = await canvas.BoundingBoxAsync();
            Assert.True(box is { Width: > 0, Height: > 0 }, $"the {chart} canvas has a size on screen (got {box?.Width}x{box?.Height})");
        }

        await PostClicksAsync(client, 40, "https://example.com/overview/");

        await Expect(page.Locator("#events-total")).ToHaveTextAsync((eventsBefore + 40).ToString("N0", CultureInfo.InvariantCulture));
        await Expect(page.Locator("#chart-events")).Not.ToHaveAttributeAsync("data-max", "0");
        var peak = double.Parse((await page.Locator("#chart-events").GetAttributeAsync("data-max"))!, CultureInfo.InvariantCulture);
        Assert.True(peak > 0, $"the events/s chart drew a second with events (highest {peak})");
        await Expect(page.Locator("#chart-sends")).Not.ToHaveAttributeAsync("data-max", "0");
        await Expect(page.Locator("#events-rate")).Not.ToHaveTextAsync("0");

        await ScreenshotAsync(page, "overview");
        session.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task TableLookup_ThroughTheForm_ShowsTheValueAndTheWorkerThatServedIt()
    {
        var client = _server.Client;
        const string url = "https://example.com/lookup/0";
        for (var i = 0; i < 3; i++)
        {
            using var posted = await client.PostAsJsonAsync("topics/clicks", new { key = url, value = 1 });
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        var lookupPath = $"api/tables/click_counts/lookup?key={Uri.EscapeDataString(url)}";
        await Eventually.UntilAsync(() => GetJsonAsync(client, lookupPath), l => l.GetProperty("value").GetInt64() == 3, $"{lookupPath} to return 3");
        var workerId = (await GetJsonAsync(client, "api/overview")).GetProperty("worker").GetProperty("id").GetString()!;
        await using var session = await OpenAsync(1280, 1000);
        var page = session.Page;

        await page.GotoAsync(new Uri(_server.Address, "#tables").ToString());
        await Expect(page.Locator("#view-tables")).ToBeVisibleAsync();
        await Expect(page.Locator("#lookup-table option[value='click_counts']")).ToHaveCountAsync(1);
        await page.GetByLabel("Table", new() { Exact = true }).First.SelectOptionAsync("click_counts");
        await page.GetByLabel("Key", new() { Exact = true }).FillAsync(url);
        await page.GetByRole(AriaRole.Button, new() { Name = "Look up" }).ClickAsync();

        await Expect(page.Locator("#lookup-value")).ToHaveTextAsync("3");
        await Expect(page.Locator("#lookup-served-by")).ToHaveTextAsync(workerId);
        await Expect(page.Locator("#lookup-result")).ToContainTextAsync("Partition");

        await page.Locator("#keys-table").SelectOptionAsync("click_counts");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.Locator("#keys-range")).ToContainTextAsync($"served by {workerId}");
        await Expect(page.Locator("#keys-table-grid tbody tr").First).Not.ToContainTextAsync("Pick a table");
        await Expect(page.Locator(".table-card[data-table='click_counts'] .key-count")).Not.ToHaveTextAsync("0");

        await ScreenshotAsync(page, "tables");
        session.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task EveryView_IsReachableByKeyboard_LabelledAndFreeOfConsoleErrors()
    {
        await PostClicksAsync(_server.Client, 10, "https://example.com/views/");
        await using var session = await OpenAsync(1280, 1000);
        var page = session.Page;
        await page.GotoAsync(_server.Address.ToString());
        await Expect(page.Locator("#worker-state")).ToHaveTextAsync("running");

        var views = new (string Link, string Section, string Shows)[]
        {
            ("Agents", "#view-agents", "#agents-table tr[data-agent='count_click']"),
            ("Topics & partitions", "#view-topics", "#topics-list section.topic"),
            ("Tables", "#view-tables", "#tables-list .table-card[data-table='click_counts']"),
            ("Cluster", "#view-cluster", "#cluster-table tbody th .kind"), // rendered by cluster.js: the row of this worker
            ("Overview", "#view-overview", "#chart-events canvas"),
        };
        foreach (var (link, section, shows) in views)
        {
            await page.GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.Locator(section)).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = link, Exact = true })).ToHaveAttributeAsync("aria-current", "page");
            await Expect(page.Locator(shows).First).ToBeVisibleAsync();
            await ScreenshotAsync(page, section["#view-".Length..]);
        }

        await page.Locator("a[data-view='topics']").ClickAsync();
        await Expect(page.Locator("#topics-list")).ToContainTextAsync("clicks");
        await Expect(page.Locator("#topics-list")).ToContainTextAsync("this worker");

        // Every control has a name a screen reader can read.
        var unnamed = await page.EvaluateAsync<string[]>(
            """
            () => [...document.querySelectorAll('input, select, button, a[href]')]
              .filter(e => !((e.labels && e.labels.length) || e.getAttribute('aria-label') || e.textContent.trim()))
              .map(e => e.outerHTML)
            """);
        Assert.Empty(unnamed);
        session.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Overview_OnAPhone_FitsTheScreen()
    {
        await using var session = await OpenAsync(390, 844);
        var page = session.Page;

        await page.GotoAsync(_server.Address.ToString());
        await Expect(page.Locator("#worker-state")).ToHaveTextAsync("running");
        await Expect(page.Locator("#chart-events canvas")).ToBeVisibleAsync();

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than a 390px phone screen");
        var canvas = await page.Locator("#chart-events canvas").BoundingBoxAsync();
        Assert.True(canvas is { Width: > 0 and <= 390 }, $"the chart fits the screen (width {canvas?.Width})");
        await ScreenshotAsync(page, "overview-phone", fullPage: true);
        session.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task WhenTheServerFailsParts_TheDashboardSaysSo_AndKeepsShowingWhatItKnows()
    {
        var workerId = (await GetJsonAsync(_server.Client, "api/overview")).GetProperty("worker").GetProperty("id").GetString()!;
        await using var session = await OpenAsync(1280, 1000);
        var page = session.Page;

        // The live stream answers 503 and the agents view fails: what a worker behind a broken proxy looks like.
        await page.RouteAsync("**/api/stream", route => route.FulfillAsync(new RouteFulfillOptions { Status = 503, Body = "unavailable" }));
        await page.RouteAsync("**/api/agents", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 503,
            ContentType = "application/problem+json",
            Body = """{"title":"Service unavailable","status":503,"detail":"The worker is rebalancing."}""",
        }));
        await page.GotoAsync(_server.Address.ToString());

        await Expect(page.Locator("#worker-id")).ToHaveTextAsync(workerId);
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "offline");
        await Expect(page.Locator("#live")).ToContainTextAsync("polling");
        await page.GetByRole(AriaRole.Link, new() { Name = "Agents", Exact = true }).ClickAsync();
        await Expect(page.Locator("#banner")).ToBeVisibleAsync();
        await Expect(page.Locator("#banner")).ToContainTextAsync("Could not load this view: The worker is rebalancing.");

        // Polling keeps the numbers moving without the stream.
        await PostClicksAsync(_server.Client, 5, "https://example.com/degraded/");
        var events = (await GetJsonAsync(_server.Client, "api/overview")).GetProperty("totals").GetProperty("events").GetInt64();
        await page.GetByRole(AriaRole.Link, new() { Name = "Overview", Exact = true }).ClickAsync();
        await Expect(page.Locator("#banner")).ToBeHiddenAsync();
        await Eventually.UntilAsync(async () => long.Parse((await page.Locator("#events-total").TextContentAsync())!.Replace(",", ""), CultureInfo.InvariantCulture),
            shown => shown >= events, $"the overview to show at least {events} events while polling");
        await ScreenshotAsync(page, "degraded");
    }

    private async Task<PageSession> OpenAsync(int width, int height)
    {
        var context = await _browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = ColorScheme.Light,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var session = new PageSession(context, page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                session.Errors.Add($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => session.Errors.Add($"page error: {error}");
        return session;
    }

    private async Task ScreenshotAsync(IPage page, string name, bool fullPage = false)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        _output.WriteLine($"Screenshot: {path}");
    }

    private static async Task PostClicksAsync(HttpClient client, int count, string prefix)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await client.PostAsJsonAsync("topics/clicks", new { key = $"{prefix}{i % 10}", value = 1 });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    // The events total once nothing is in flight: a snapshot (the monitor samples once a second) with no lag, so every
    // posted click was processed and committed before it, and a snapshot sampled after it with the same totals and
    // still no lag, so its count is of every one of them.
    private static async Task<long> SettledEventsAsync(HttpClient client)
    {
        var settled = await Eventually.UntilAsync(async () =>
        {
            var first = Totals(await GetJsonAsync(client, "api/overview"));
            if (first.Lag != 0)
            {
                return (Settled: false, Last: first);
            }

            var next = await Eventually.UntilAsync(async () => Totals(await GetJsonAsync(client, "api/overview")), t => t.SampledAt > first.SampledAt,
                $"a monitor sample after the one of {first.SampledAt:O}");
            return (Settled: next == first with { SampledAt = next.SampledAt }, Last: next);
        }, t => t.Settled, "the overview's totals to settle: no lag, and the same totals in two samples in a row");
        return settled.Last.Events;

        static OverviewTotals Totals(JsonElement overview)
        {
            var totals = overview.GetProperty("totals");
            var lag = overview.GetProperty("totalLag");
            return new OverviewTotals(
                overview.GetProperty("sampledAt") is { ValueKind: JsonValueKind.String } at ? at.GetDateTimeOffset() : DateTimeOffset.MinValue,
                totals.GetProperty("events").GetInt64(), totals.GetProperty("received").GetInt64(), totals.GetProperty("sent").GetInt64(),
                lag.ValueKind == JsonValueKind.Number ? lag.GetInt64() : null);
        }
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private readonly record struct OverviewTotals(DateTimeOffset SampledAt, long Events, long Received, long Sent, long? Lag);

    private sealed class PageSession(IBrowserContext context, IPage page) : IAsyncDisposable
    {
        public IPage Page { get; } = page;

        public List<string> Errors { get; } = [];

        public void AssertNoConsoleErrors() => Assert.True(Errors.Count == 0, "The page logged errors:\n" + string.Join("\n", Errors));

        public async ValueTask DisposeAsync() => await context.CloseAsync();
    }
}
