namespace Faust.Dashboard.Tests;

// One server for the tests of a class (they run one after another): each test posts clicks to keys of its own.
public sealed class DashboardServerFixture : IAsyncLifetime
{
    private HttpClient? _client;

    public DashboardServer Server { get; } = new();

    public HttpClient Client => _client ?? throw new InvalidOperationException("The server has not started.");

    public Uri Address => Server.Address;

    public async Task InitializeAsync() => _client = await Server.CreateReadyClientAsync();

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        await Server.DisposeAsync();
    }
}
