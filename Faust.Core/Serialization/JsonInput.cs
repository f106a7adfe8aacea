using System.Text.Json;

namespace Faust.Serialization;

/// <summary>Converts JSON given by a client (an HTTP body) to a key or value type, with errors that name the field.</summary>
internal static class JsonInput
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };

    public static T Read<T>(JsonElement? element, string field)
    {
        if (element is not { } json || json.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            if (default(T) is null)
            {
                return default!;
            }

            throw new InvalidInputException(field, $"'{field}' is required: expected {Describe(typeof(T))}.");
        }

        if (typeof(T) == typeof(string) && json.ValueKind != JsonValueKind.String)
        {
            throw new InvalidInputException(field, $"'{field}' must be a JSON string, not {json.ValueKind.ToString().ToLowerInvariant()}.");
        }

        try
        {
            return json.Deserialize<T>(Options)!;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidInputException(field, $"'{field}' is not {Describe(typeof(T))}: {ex.Message}", ex);
        }
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "an integer",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
        _ when type == typeof(string) => "a string",
        _ when type == typeof(bool) => "true or false",
        _ => $"a {type.Name} as JSON",
    };
}
