using System.Text.Json;

namespace Faust.Tables;

// A key given as text (an HTTP path segment): raw for string keys, JSON for other types (42, true, a quoted GUID
// or the bare GUID). A key cannot be null.
internal static class TableKeyText
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public static TKey Parse<TKey>(string keyText)
    {
        if (typeof(TKey) == typeof(string))
        {
            return (TKey)(object)keyText;
        }

        TKey? key;
        try
        {
            key = JsonSerializer.Deserialize<TKey>(keyText, JsonOptions);
        }
        catch (JsonException)
        {
            key = JsonSerializer.Deserialize<TKey>(JsonSerializer.Serialize(keyText), JsonOptions);
        }

        return key ?? throw new FormatException("a key cannot be null");
    }

    /// <summary>The text form <see cref="Parse{TKey}"/> reads back: raw for strings, JSON otherwise.</summary>
    public static string Format<TKey>(TKey key) => key is string text ? text : JsonSerializer.Serialize(key, JsonOptions);
}
