using Faust.Web.Hosting;
using Faust.Web.Tests.Docs.Snippets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faust.Web.Tests.Docs;

// The docs' snippets that run cheaply, run: each declaration snippet on a builder of its own (declaring checks codec
// names, table and topic names, settings order), and the app without a host on memory://.
public sealed class DocsSnippetRunTests
{
    [Fact]
    public void AgentsAndStreams_Declarations_AreAccepted()
    {
        Declare(f => AgentsAndStreamsSnippets.Channel(f, NullLogger.Instance));
        Declare(f => AgentsAndStreamsSnippets.Events(f, f.Topic<string, int>("clicks"), NullLogger.Instance));
        Declare(f => AgentsAndStreamsSnippets.FilterAndEcho(f, f.Topic<string, Order>("orders"), f.Topic<string, Order>("audit"),
            f.Table<string, Order>("last_order")));
        Declare(f => AgentsAndStreamsSnippets.Chunk(f, f.Topic<string, int>("clicks"), f.Topic<string, int>("click_totals")));
        Declare(f => AgentsAndStreamsSnippets.ManualAck(f, f.Topic<string, Order>("orders"), f.Topic<string, Order>("orders-archive")));
        Declare(AgentsAndStreamsSnippets.RepartitionBy);
        Declare(f => AgentsAndStreamsSnippets.Options(f, f.Topic<string, Order>("orders"), f.Topic<string, decimal>("charges")));
        Declare(f => AgentsAndStreamsSnippets.Sinks(f, f.Topic<string, string>("sentences"), f.Topic<string, string>("words"),
            f.Agent(f.Topic<string, string>("counted_words"), (stream, ct) => Task.CompletedTask, name: "count_words"), NullLogger.Instance));
    }

    [Fact]
    public void Tables_Declarations_AreAccepted()
    {
        Declare(f => TablesSnippets.WriteATable(f, f.Topic<string, int>("clicks")));
        Declare(f => TablesSnippets.SetTable(f, f.Topic<string, string>("page_views")));
        Declare(f => TablesSnippets.Callbacks(f.Table<string, long>("click_counts", () => 0L), NullLogger.Instance));
    }

    [Fact]
    public void RecordsAndCodecs_Declarations_AreAccepted()
    {
        Declare(RecordsAndCodecsSnippets.PolymorphicTopic);
        Declare(RecordsAndCodecsSnippets.JsonSettings);
        Declare(RecordsAndCodecsSnippets.SourceGeneratedCodec);
        Declare(RecordsAndCodecsSnippets.NamedCodecs);
        Declare(RecordsAndCodecsSnippets.CodecObject);
        Declare(f => RecordsAndCodecsSnippets.DecodeErrors(f.Topic<string, Order>("orders"), f.Topic<string, int>("clicks")));
    }

    [Fact]
    public async Task HttpApi_TableRoutes_MapGetAndPost()
    {
        var builder = WebApplication.CreateBuilder();
        var counts = builder.AddFaust().Table<string, long>("click_counts", () => 0L);
        await using var app = builder.Build();

        HttpApiSnippets.TableRoutes(app, counts);

        var routes = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText == "/count/{url}").ToList();
        Assert.Equal(2, routes.Count);
    }

    [Fact]
    public async Task Configuration_AppWithoutAHost_StartsAndStops() =>
        await ConfigurationSnippets.WithoutAHost().WaitAsync(TimeSpan.FromSeconds(60));

    private static void Declare(Action<FaustBuilder> snippet) => snippet(WebApplication.CreateBuilder().AddFaust());
}
