namespace Faust.Serialization;

// Python's datetime.isoformat(): yyyy-MM-ddTHH:mm:ss[.ffffff][Z|+HH:MM], written digit by digit (a custom format
// string would be parsed on every call).
internal static class IsoFormat
{
    public const int MaxLength = 32;

    // The text is ASCII digits and separators, nothing to escape: write it quoted and raw, skipping the writer's
    // escaping pass.
    public static void WriteQuoted(System.Text.Json.Utf8JsonWriter writer, ReadOnlySpan<byte> iso)
    {
        Span<byte> quoted = stackalloc byte[MaxLength + 2];
        quoted[0] = (byte)'"';
        iso.CopyTo(quoted[1..]);
        quoted[iso.Length + 1] = (byte)'"';
        writer.WriteRawValue(quoted[..(iso.Length + 2)], skipInputValidation: true);
    }

    public static int Write(Span<byte> buffer, DateTime clock, TimeSpan? offset)
    {
        var (year, month, day) = clock;
        Digits(buffer, 0, year, 4);
        buffer[4] = (byte)'-';
        Digits(buffer, 5, month, 2);
        buffer[7] = (byte)'-';
        Digits(buffer, 8, day, 2);
        buffer[10] = (byte)'T';
        Digits(buffer, 11, clock.Hour, 2);
        buffer[13] = (byte)':';
        Digits(buffer, 14, clock.Minute, 2);
        buffer[16] = (byte)':';
        Digits(buffer, 17, clock.Second, 2);
        var n = 19;
        var microseconds = (int)(clock.Ticks % TimeSpan.TicksPerSecond / 10);
        if (microseconds != 0)
        {
            buffer[n++] = (byte)'.';
            Digits(buffer, n, microseconds, 6);
            n += 6;
        }

        if (offset is not { } o)
        {
            return n;
        }

        if (o == TimeSpan.Zero)
        {
            buffer[n++] = (byte)'Z';
            return n;
        }

        buffer[n++] = o < TimeSpan.Zero ? (byte)'-' : (byte)'+';
        var abs = o.Duration();
        Digits(buffer, n, abs.Hours, 2);
        buffer[n + 2] = (byte)':';
        Digits(buffer, n + 3, abs.Minutes, 2);
        return n + 5;
    }

    private static void Digits(Span<byte> buffer, int at, int value, int count)
    {
        for (var i = at + count - 1; i >= at; i--)
        {
            buffer[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}
