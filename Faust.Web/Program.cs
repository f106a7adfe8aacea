using System.Runtime.CompilerServices;
using System.Text.Json;
using Faust.Agents;
using Faust.Runtime;
using Faust.Serialization;
using Faust.Streams;
using Faust.Web.Endpoints;
using Faust.Web.Hosting;
using Faust.Web.Samples;

var builder = WebApplication.CreateBuilder(args);
var faust = builder.AddFaust();

// Records as Python declares them: snake_case fields. Set before declaring the topics and tables that use JSON.
faust.Codecs.Json = new FaustJsonOptions
{
    Serializer = new JsonSerializerOptions(JsonSerializerOptions.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower },
};

// The page-view counter from Faust's introduction: key = URL, value = views.
var clicks = faust.Topic<string, int>("clicks");
var counts = faust.Table<string, long>("click_counts", () => 0L, help: "Page views per URL");

faust.Agent(clicks, async (stream, ct) =>
{
    await foreach (var (url, n) in stream.Items().WithCancellation(ct))
    {
        counts[url] += n;
    }
}, name: "count_click");

// Orders keyed by account: a running total per account, and the last order each placed. Order is a Faust record
// (Samples/Order.cs); with snake_case fields (set above) its JSON is what a Python Faust app writes for it.
var orders = faust.Topic<string, Order>("orders");
var orderTotals = faust.Table<string, decimal>("order_totals", () => 0m, help: "Total order value per account");
var lastOrder = faust.Table<string, Order>("last_order", help: "The last order of each account");

faust.Agent(orders, async (stream, ct) =>
{
    await foreach (var order in stream.WithCancellation(ct))
    {
        orderTotals[order.AccountId] += order.Value;
        lastOrder[order.AccountId] = order;
    }
}, name: "process_order");

// Word count: sentences are split into words by an agent that yields them into the `words` topic (its sink);
// `count_words` reads the words repartitioned by word, so each word's count is written on the partition that owns it.
var sentences = faust.Topic<string, string>("sentences");
var words = faust.Topic<string, string>("words");
var wordCounts = faust.Table<string, long>("word_counts", () => 0L, help: "Occurrences of each word");

faust.Agent(sentences, SplitSentences, name: "split_sentences").AddSink(words);

faust.Agent(words.RepartitionBy(word => word, "word"), async (stream, ct) =>
{
    await foreach (var word in stream.WithCancellation(ct))
    {
        wordCounts[word] += 1;
    }
}, name: "count_words");

// Ask/reply: an agent that answers how often a word was seen. A query is keyed by the word, so it reaches the worker
// and partition that hold the word's count; GET /samples/word-count/{word} asks it and waits for the reply.
var wordQueries = faust.Topic<string, string>("word_queries");
var wordLookup = faust.Agent(wordQueries, CountsOf, name: "word_lookup");

var app = builder.Build();
app.MapFaust();

// Faust's @app.table_route: any worker takes the request, and the handler runs on the worker that holds the URL's
// count (the others forward it there, a POST's body included). GetTableKey() is the URL, percent-decoded once.
app.MapTableRoute(counts, "/count/{url}", keyFrom: "url",
    (HttpContext http) => Results.Ok(new { url = http.GetTableKey(), count = counts[http.GetTableKey()!] }), methods: ["GET"]);
app.MapTableRoute(counts, "/count/{url}", keyFrom: "url",
    (HttpContext http, JsonElement note) => Results.Ok(new { url = http.GetTableKey(), count = counts[http.GetTableKey()!], note }), methods: ["POST"]);
app.MapGet("/samples/word-count/{word}", async (string word, CancellationToken ct) =>
{
    try
    {
        return Results.Ok(await wordLookup.AskAsync(word, key: word, timeout: TimeSpan.FromSeconds(10), ct: ct));
    }
    catch (TimeoutException ex)
    {
        return Results.Problem(ex.Message, statusCode: StatusCodes.Status504GatewayTimeout);
    }
    catch (ReplyTopicUnavailableException ex)
    {
        // The broker would not create this worker's reply topic (the mock cluster never does): say which, and how to
        // fix it (Faust:ReplyTopic, a topic created beforehand).
        return Problems.ReplyTopicMissing(ex.Topic, ex.Message);
    }
});
app.Run();

async IAsyncEnumerable<string> SplitSentences(Stream<string, string> stream, [EnumeratorCancellation] CancellationToken ct)
{
    await foreach (var sentence in stream.WithCancellation(ct))
    {
        foreach (var word in sentence.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return word.Trim('.', ',', ';', ':', '!', '?', '"', '(', ')').ToLowerInvariant();
        }
    }
}

async IAsyncEnumerable<long> CountsOf(Stream<string, string> queries, [EnumeratorCancellation] CancellationToken ct)
{
    await foreach (var word in queries.WithCancellation(ct))
    {
        yield return wordCounts[word];
    }
}
