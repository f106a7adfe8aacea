using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Faust.Serialization;

// DateTime as Python's isoformat() writes it: UTC values end with Z, local ones with their offset, unspecified
// ones (Python's naive datetimes) with none. A value with an offset reads as UTC (Kind Utc); without, as
// Unspecified, so a naive date round-trips unchanged.
internal sealed class IsoDateTimeConverter : JsonConverter<DateTime>
{
    public static readonly IsoDateTimeConverter Instance = new();

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected an ISO-8601 date and time as a string, not {reader.TokenType}.");
        }

        var text = reader.GetString()!;
        var hasOffset = IsoDateTimeOffsetConverter.HasOffset(text.AsSpan());
        if (hasOffset && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset))
        {
            return withOffset.UtcDateTime;
        }

        if (!hasOffset && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var naive))
        {
            return DateTime.SpecifyKind(naive, DateTimeKind.Unspecified);
        }

        throw new JsonException($"'{(text.Length > 64 ? text[..64] + "..." : text)}' is not an ISO-8601 date and time.");
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        Span<byte> buffer = stackalloc byte[IsoFormat.MaxLength];
        var written = value.Kind switch
        {
            DateTimeKind.Utc => IsoFormat.Write(buffer, value, TimeSpan.Zero),
            DateTimeKind.Local => IsoFormat.Write(buffer, value, TimeZoneInfo.Local.GetUtcOffset(value)),
            _ => IsoFormat.Write(buffer, value, null),
        };
        IsoFormat.WriteQuoted(writer, buffer[..written]);
    }
}
