using System.Buffers.Text;
using System.Globalization;

namespace Faust.Serialization;

// Python's datetime.isoformat(): yyyy-MM-ddTHH:mm:ss[.ffffff][Z|+HH:MM].
internal static class IsoFormat
{
    public static int Write(Span<byte> buffer, DateTime clock, TimeSpan? offset)
    {
        clock.TryFormat(buffer, out var n, "yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture);
        var microseconds = (int)(clock.Ticks % TimeSpan.TicksPerSecond / 10);
        if (microseconds != 0)
        {
            buffer[n++] = (byte)'.';
            Utf8Formatter.TryFormat(microseconds, buffer[n..], out var digits, new System.Buffers.StandardFormat('D', 6));
            n += digits;
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
        Utf8Formatter.TryFormat(abs.Hours, buffer[n..], out var h, new System.Buffers.StandardFormat('D', 2));
        n += h;
        buffer[n++] = (byte)':';
        Utf8Formatter.TryFormat(abs.Minutes, buffer[n..], out var m, new System.Buffers.StandardFormat('D', 2));
        return n + m;
    }
}
