using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Faust.Serialization;

// DateTimeOffset as Python's datetime.isoformat() writes it (Faust's JSON encoder, with "+00:00" written as "Z"):
// the fraction is microseconds, six digits, left out when zero. Six digits exactly, because Faust's pure-Python
// ISO parser reads the digits as a microsecond count. A value without an offset (a naive Python datetime) is UTC.
internal sealed class IsoDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public static readonly IsoDateTimeOffsetConverter Instance = new();

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected an ISO-8601 date and time as a string, not {reader.TokenType}.");
        }

        if (!reader.HasValueSequence && !reader.ValueIsEscaped && HasOffset(reader.ValueSpan) && reader.TryGetDateTimeOffset(out var value))
        {
            return value;
        }

        var text = reader.GetString()!;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value))
        {
            return value;
        }

        throw new JsonException($"'{(text.Length > 64 ? text[..64] + "..." : text)}' is not an ISO-8601 date and time.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<byte> buffer = stackalloc byte[IsoFormat.MaxLength];
        var written = IsoFormat.Write(buffer, value.DateTime, value.Offset);
        IsoFormat.WriteQuoted(writer, buffer[..written]);
    }

    // True when the text after the time separator holds Z or a sign: the value names its offset.
    internal static bool HasOffset(ReadOnlySpan<byte> iso)
    {
        var t = iso.IndexOfAny((byte)'T', (byte)'t');
        return t >= 0 && iso[(t + 1)..].IndexOfAny("Zz+-"u8) >= 0;
    }

    internal static bool HasOffset(ReadOnlySpan<char> iso)
    {
        var t = iso.IndexOfAny('T', 't');
        return t >= 0 && iso[(t + 1)..].IndexOfAny("Zz+-") >= 0;
    }
}
