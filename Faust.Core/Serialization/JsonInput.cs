using System.Text.Json;
using Faust.Records;

namespace Faust.Serialization;

/// <summary>Converts JSON given by a client (an HTTP body) to a key or value type, with errors that name the field.</summary>
internal static class JsonInput
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };

    /// <summary>Reads a key or value. Records go through <paramref name="codec"/>'s JSON contract when it has one, so
    /// the body is held to what the wire holds (naming, decimals, the envelope, validation).</summary>
    public static T Read<T>(JsonElement? element, string field, ICodec<T>? codec = null)
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
            return codec is IJsonValueCodec<T> record
                ? record.FromJson(json)
                : json.Deserialize<T>(Options)!;
        }
        catch (RecordValidationException ex)
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var (member, messages) in ex.Errors)
            {
                errors[Join(Join(field, ex.Path), member)] = messages;
            }

            throw new InvalidInputException(field, $"'{field}' is not a valid {typeof(T).Name}: {ex.Message}", ex, errors);
        }
        catch (JsonException ex) when (ex.Path is { Length: > 1 } path)
        {
            throw new InvalidInputException(field, $"'{field}' is not {Describe(typeof(T))}: {ex.Message}", ex,
                new Dictionary<string, string[]>(StringComparer.Ordinal) { [Join(field, path)] = [FirstSentence(ex.Message)] });
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidInputException(field, $"'{field}' is not {Describe(typeof(T))}: {ex.Message}", ex);
        }
    }

    // "value" + "$.items[0]" -> "value.items[0]"; "value" + "price" -> "value.price".
    private static string Join(string prefix, string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return prefix;
        }

        var rest = path.StartsWith("$", StringComparison.Ordinal) ? path[1..] : "." + path;
        return prefix + (rest.StartsWith('.') || rest.StartsWith('[') ? rest : "." + rest);
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
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
