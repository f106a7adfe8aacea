using Microsoft.AspNetCore.Http.HttpResults;

namespace Faust.Web.Endpoints;

// The errors of the Faust endpoints, as ProblemDetails. Each carries Faust's own error fields as extensions
// (Faust answers {"error": "unknown table", "name": "X"}), so clients of either read the same members.
internal static class Problems
{
    public static ProblemHttpResult UnknownTable(string name) =>
        Problem(StatusCodes.Status404NotFound, "Unknown table", $"No table named '{name}' is declared in this app.",
            ("error", "unknown table"), ("name", name));

    public static ProblemHttpResult KeyNotFound(string table, string key) =>
        Problem(StatusCodes.Status404NotFound, "Key not found", $"Table '{table}' holds no value for key '{key}' and has no default.",
            ("error", "key not found"), ("table", table), ("key", key));

    public static ProblemHttpResult BadKey(string table, string detail) =>
        Problem(StatusCodes.Status400BadRequest, "Invalid key", detail, ("error", "invalid key"), ("table", table));

    public static ProblemHttpResult BadKeyEncoding(string table) =>
        Problem(StatusCodes.Status400BadRequest, "Invalid key", "The key is not a valid percent-encoded UTF-8 path segment.",
            ("error", "invalid key"), ("table", table));

    public static ProblemHttpResult InvalidQuery(string detail) =>
        Problem(StatusCodes.Status400BadRequest, "Invalid query", detail, ("error", "invalid query"));

    public static ProblemHttpResult UnknownTopic(string name) =>
        Problem(StatusCodes.Status404NotFound, "Unknown topic", $"No topic named '{name}' is open to produce to in this app.",
            ("error", "unknown topic"), ("topic", name));

    // "errors" has ValidationProblemDetails' shape: messages per member path ("value.price").
    public static ProblemHttpResult InvalidBody(string detail, string? field = null, IReadOnlyDictionary<string, string[]>? errors = null) =>
        (field, errors) switch
        {
            (null, _) => Problem(StatusCodes.Status400BadRequest, "Invalid request body", detail, ("error", "invalid body")),
            (_, null) => Problem(StatusCodes.Status400BadRequest, "Invalid request body", detail, ("error", "invalid body"), ("field", field)),
            _ => Problem(StatusCodes.Status400BadRequest, "Invalid request body", detail, ("error", "invalid body"), ("field", field), ("errors", errors)),
        };

    public static ProblemHttpResult BodyTooLarge(long limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The body is larger than {limit} bytes (Faust:Web:MaxRequestBodyBytes).",
            ("error", "body too large"), ("limit", limit));

    // A request (ask) this worker cannot send: its reply topic is missing and the broker will not create it. Not
    // transient, so no Retry-After: an operator creates the topic and sets Faust:ReplyTopic.
    public static ProblemHttpResult ReplyTopicMissing(string topic, string detail) =>
        Problem(StatusCodes.Status503ServiceUnavailable, "Reply topic missing", detail, ("error", "reply topic missing"), ("topic", topic));

    public static ProblemHttpResult ClusterSecretMissing() =>
        Problem(StatusCodes.Status401Unauthorized, "Cluster secret required",
            "The request is marked as forwarded by another worker (Faust-Forwarded-By) but carries no Faust-Cluster-Secret.",
            ("error", "cluster secret required"));

    public static ProblemHttpResult ClusterSecretWrong() =>
        Problem(StatusCodes.Status403Forbidden, "Wrong cluster secret",
            "The request is marked as forwarded by another worker (Faust-Forwarded-By) but its Faust-Cluster-Secret is not this cluster's.",
            ("error", "wrong cluster secret"));

    public static ProblemHttpResult MissingRouteKey(string table) =>
        Problem(StatusCodes.Status400BadRequest, "Invalid key", $"The request names no key of table '{table}'.", ("error", "invalid key"), ("table", table));

    // Faust's wording for a request it cannot route yet; Retry-After says when to try again.
    public static ProblemHttpResult Unavailable(HttpContext context, TimeSpan retryAfter, string detail)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail, ("error", "Service unavailable. Try again later."));
    }

    private static ProblemHttpResult Problem(int status, string title, string detail, params (string Name, object? Value)[] extensions)
    {
        var members = new Dictionary<string, object?>(extensions.Length, StringComparer.Ordinal);
        foreach (var (name, value) in extensions)
        {
            members[name] = value;
        }

        return TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: members);
    }
}
