using Microsoft.Playwright;

namespace Faust.Dashboard.Tests;

// Debian's Chromium (/usr/bin/chromium, installed by .ci/run with apt) driven by Playwright. Nothing is downloaded:
// Playwright gets the executable path, and the flags keep Chromium off the network (this machine has none) and out
// of the sandbox (CI runs as root). A missing browser fails every test with a message that says how to install it:
// the browser tests never skip silently.
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string DefaultExecutable = "/usr/bin/chromium";

    private static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>FAUST_CHROMIUM overrides the executable; default Debian's.</summary>
    public static string Executable =>
        Environment.GetEnvironmentVariable("FAUST_CHROMIUM") is { Length: > 0 } path ? path : DefaultExecutable;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException(
                $"Chromium was not found at {Executable}. The dashboard's browser tests drive Debian's Chromium: install it with "
                + "`apt-get install -y chromium chromium-driver` (.ci/run does this), or set FAUST_CHROMIUM to a Chromium executable.");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = Flags,
            Timeout = 60_000,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
