using System.Text.Json;
using Faust.Runtime;
using Faust.Serialization;

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

    /// <summary>Parses a key given in a request; a key that is not a valid <typeparamref name="TKey"/> gives the
    /// BadKey lookup answer instead, with the reason.</summary>
    public static bool TryParse<TKey>(string keyText, out TKey key, out TableLookup badKey)
    {
        try
        {
            key = Parse<TKey>(keyText);
            badKey = default!;
            return true;
        }
        catch (Exception ex) when (ex is CodecException or JsonException or FormatException)
        {
            key = default!;
            badKey = new TableLookup(TableLookupStatus.BadKey, null, $"Key '{keyText}' is not a valid {typeof(TKey).Name}: {ex.Message}");
            return false;
        }
    }

    /// <summary>The text form <see cref="Parse{TKey}"/> reads back: raw for strings, JSON otherwise.</summary>
    public static string Format<TKey>(TKey key) => key is string text ? text : JsonSerializer.Serialize(key, JsonOptions);
}
