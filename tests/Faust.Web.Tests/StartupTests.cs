using Faust.Web.Endpoints;
using Faust.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Faust.Web.Tests;

public sealed class StartupTests
{
    // On a host of its own: WebApplicationFactory may report a failed start as an ObjectDisposedException of the
    // service provider instead of the start-up error (a race in its deferred host).
    [Theory]
    [InlineData("Faust:ProcessingGuarantee", "maybe", "at_least_once or exactly_once")]
    [InlineData("Faust:Broker", "nats://x", "memory://, embedded://[directory] or kafka://host:port")]
    [InlineData("Faust:TopicPartitions", "0", "1 to 10000")]
    [InlineData("Faust:CommitInterval", "00:00:00", "above 0")]
    [InlineData("Faust:CommitLivelockSoftTimeout", "00:00:00.5", "00:00:01 to 1.00:00:00")]
    [InlineData("Faust:TableStandbyReplicas", "-1", "0 (no standbys) to 100")]
    [InlineData("Faust:Web:MaxRequestBodyBytes", "0", "above 0")]
    [InlineData("Faust:Web:ForwardTimeout", "00:00:00", "Faust:Web:ForwardTimeout")]
    [InlineData("Faust:Web:ClusterSecret", "short", "Faust:Web:ClusterSecret")]
    [InlineData("Faust:Web:StandbyReadMaxLag", "-2", "-1 (no standby reads, the default), 0 (only standbys that are caught up)")]
    [InlineData("Faust:ClusterHeartbeat", "00:00:00", "Faust:ClusterHeartbeat")]
    public async Task BadSetting_StopsStartUp_WithAMessageNamingIt(string setting, string value, string accepted)
    {
        var started = false;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(
            faust => faust.Agent(faust.Topic<string, int>("clicks"), (_, _) => Task.FromResult(started = true)),
            settings: new Dictionary<string, string?> { [setting] = value }));

        Assert.Contains(setting, error.Message);
        Assert.Contains(accepted, error.Message);
        Assert.False(started, "no agent may run when a setting is bad");
    }

    [Fact]
    public void EveryAgent_RunsAsAHostedService_StartedAfterTheWorker()
    {
        using var factory = new FaustWebFactory();
        _ = factory.CreateClient();

        var hosted = factory.Services.GetServices<IHostedService>().ToList();

        var worker = hosted.FindIndex(s => s is FaustWorkerService);
        var agents = hosted.OfType<AgentHostedService>().Select(a => a.Agent.Name).ToArray();
        Assert.Equal(["count_click", "process_order", "split_sentences", "count_words", "word_lookup"], agents);
        Assert.True(worker >= 0 && worker < hosted.FindIndex(s => s is AgentHostedService), "the worker's service must come before the agents'");
    }

    [Fact]
    public void AddFaust_CalledTwice_ReturnsTheSameBuilder_AndRegistersOnce()
    {
        var builder = WebApplication.CreateBuilder();

        var first = builder.AddFaust();
        var second = builder.AddFaust();

        Assert.Same(first, second);
        Assert.Single(builder.Services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(FaustWorkerService));
        Assert.Single(builder.Services, d => d.ServiceType == typeof(FaustApp));
    }

    [Fact]
    public void AgentDeclaredAfterBuild_Throws_InsteadOfNeverRunning()
    {
        var builder = WebApplication.CreateBuilder();
        var faust = builder.AddFaust();
        var clicks = faust.Topic<string, int>("clicks");
        using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => faust.Agent(clicks, (_, _) => Task.CompletedTask));

        Assert.Contains("builder.Build()", error.Message);
        Assert.Empty(faust.App.AgentList);
    }

    [Fact]
    public void MapFaust_WithoutAddFaust_Throws_NamingAddFaust()
    {
        var app = WebApplication.CreateBuilder().Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapFaust());

        Assert.Contains("builder.AddFaust()", error.Message);
    }

    [Fact]
    public void DefaultAddress_IsPort6066_WhenNothingElseIsConfigured()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration["urls"] = null;
        builder.Configuration["http_ports"] = null;
        builder.Configuration["https_ports"] = null;

        builder.AddFaust();

        Assert.Equal("http://localhost:6066", builder.Configuration["urls"]);
    }

    [Fact]
    public void DefaultAddress_GivesWay_ToUrlsGivenOnTheCommandLine()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--urls", "http://127.0.0.1:5123"] });

        builder.AddFaust();

        Assert.Equal("http://127.0.0.1:5123", builder.Configuration["urls"]);
    }

    [Fact]
    public void DefaultAddress_HasTheLowestPrecedence_SoLaterConfigurationWins()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration["urls"] = null;
        builder.Configuration["http_ports"] = null;
        builder.Configuration["https_ports"] = null;
        builder.AddFaust();

        builder.Configuration.AddInMemoryCollection([new("urls", "http://127.0.0.1:5124")]);

        Assert.Equal("http://127.0.0.1:5124", builder.Configuration["urls"]);
    }

    [Theory]
    [InlineData("http://localhost:6066", "http://localhost:6066")]
    [InlineData("http://127.0.0.1:41234/", "http://127.0.0.1:41234")]
    [InlineData("https://[::1]:8443", "https://[::1]:8443")]
    public void CanonicalUrl_KeepsASpecificHost(string address, string expected) =>
        Assert.Equal(expected, CanonicalUrl.Normalize(address));

    [Theory]
    [InlineData("http://0.0.0.0:6066")]
    [InlineData("http://[::]:6066")]
    [InlineData("http://+:6066")]
    [InlineData("http://*:6066")]
    public void CanonicalUrl_ReplacesAWildcardHost_WithTheMachinesHostName(string address) =>
        Assert.Equal($"http://{System.Net.Dns.GetHostName()}:6066", CanonicalUrl.Normalize(address));
}
