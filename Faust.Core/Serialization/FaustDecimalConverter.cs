using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Faust.Serialization;

// Decimal as a JSON string, as Faust's JSON encoder writes Python's Decimal (str(d): "12.50", "1E+2"), so no
// digit is lost to a float on either side. Numbers are accepted on read (other producers write them).
internal sealed class FaustDecimalConverter : JsonConverter<decimal>
{
    public static readonly FaustDecimalConverter Instance = new();

    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetDecimal(out var number) ? number : throw new JsonException("The number does not fit a decimal.");
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a decimal as a string or a number, not {reader.TokenType}.");
        }

        return Parse(ref reader);
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options)
    {
        // Digits, sign and point need no escaping: write the quoted string raw, skipping the writer's escaping pass.
        Span<byte> buffer = stackalloc byte[48];
        buffer[0] = (byte)'"';
        value.TryFormat(buffer[1..], out var written, default, CultureInfo.InvariantCulture);
        buffer[written + 1] = (byte)'"';
        writer.WriteRawValue(buffer[..(written + 2)], skipInputValidation: true);
    }

    public override decimal ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(ref reader);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value.ToString(CultureInfo.InvariantCulture));

    private static decimal Parse(ref Utf8JsonReader reader)
    {
        var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        if (!reader.ValueIsEscaped && raw.Length <= 1000
            && decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        var text = reader.GetString();
        if (text is { Length: <= 1000 } && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return value;
        }

        throw new JsonException($"'{Shorten(text)}' is not a decimal number.");
    }

    private static string? Shorten(string? text) => text is { Length: > 64 } ? text[..64] + "..." : text;
}
