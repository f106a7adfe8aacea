using System.Text.Json;
using Faust.Serialization;
using Faust.Topics;
using Faust.Web.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Faust.Web.Endpoints;

// POST /topics/{name}: produce one record from JSON {"key": ..., "value": ...} to a declared topic. Internal
// topics (changelogs and the like) are not open to clients: they would corrupt table state.
internal static partial class TopicEndpoints
{
    public static void MapTopics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/topics/{name}", ProduceAsync)
            .WithTags("Topics")
            .WithName("Produce")
            .WithSummary("Sends a record to a topic.")
            .WithDescription("The body is {\"key\": ..., \"value\": ...}; key and value are converted to the topic's types. The key picks the partition (Kafka's murmur2); without a key the partition is random.")
            .Accepts<ProduceRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    internal static ITopicView? Find(FaustApp app, string name)
    {
        foreach (var table in app.TableViews)
        {
            if (table.ChangelogTopic == name)
            {
                return null;
            }
        }

        foreach (var topic in app.TopicViews)
        {
            if (topic.Name == name)
            {
                return topic.IsInternal ? null : topic;
            }
        }

        return null;
    }

    private static async Task<Results<Accepted<ProduceResponse>, ProblemHttpResult>> ProduceAsync(
        string name, HttpContext context, FaustApp app, IOptions<FaustWebOptions> options, ILoggerFactory loggers, CancellationToken ct)
    {
        if (Find(app, name) is not { } topic)
        {
            return Problems.UnknownTopic(name);
        }

        var settings = options.Value;
        if (app.Engine is null)
        {
            return Problems.Unavailable(context, settings.RetryAfter, "The worker has not started.");
        }

        var body = await Routing.RequestBody.ReadAsync(context, settings.MaxRequestBodyBytes, ct).ConfigureAwait(false);
        if (body is null)
        {
            return Problems.BodyTooLarge(settings.MaxRequestBodyBytes);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.WrittenMemory);
        }
        catch (JsonException ex)
        {
            return Problems.InvalidBody($"The body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Problems.InvalidBody("The body must be a JSON object: {\"key\": ..., \"value\": ...}.");
            }

            if (!document.RootElement.TryGetProperty("value", out var value))
            {
                return Problems.InvalidBody("'value' is required: the body is {\"key\": ..., \"value\": ...}.", "value");
            }

            JsonElement? key = document.RootElement.TryGetProperty("key", out var keyElement) ? keyElement : null;
            try
            {
                var delivered = await topic.SendJsonAsync(key, value, ct).ConfigureAwait(false);
                LogProduced(loggers.CreateLogger(typeof(TopicEndpoints)), delivered.Topic, delivered.Partition, delivered.Offset);
                return TypedResults.Accepted((string?)null, new ProduceResponse(delivered.Topic, delivered.Partition, delivered.Offset));
            }
            catch (InvalidInputException ex)
            {
                return Problems.InvalidBody(ex.Message, ex.Field, ex.Errors);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Produced a record over HTTP to {Topic}[{Partition}] at offset {Offset}.")]
    private static partial void LogProduced(ILogger logger, string topic, int partition, long offset);
}
