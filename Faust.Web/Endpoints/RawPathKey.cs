using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Faust.Web.Endpoints;

// A table key travels as one path segment, percent-encoded by the client: the seed's keys are URLs, sent as
// /table/click_counts/https%3A%2F%2Fexample.com%2Fpage%2F0/ (DESIGN decision 9). The server decodes the path
// except %2F, so route values can't tell "a/b" (sent a%2Fb) from "a%2Fb" (sent a%252Fb). The key is therefore
// read from the raw request target: its last segment (the routes end in {key}), percent-decoded exactly once, as
// strict UTF-8. '+' is a plus: form encoding does not apply to paths.
internal static class RawPathKey
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryRead(HttpContext context, string routeValue, out string key)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/' && !raw.Contains("://", StringComparison.Ordinal))
        {
            // No raw target (a server that does not keep it): the route value, with the %2F the server kept
            // decoded. Only a key holding the text "%2F" itself reads differently from what was sent.
            key = routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
            return true;
        }

        return TryDecode(LastSegment(raw), out key);
    }

    public static ReadOnlySpan<char> LastSegment(ReadOnlySpan<char> rawTarget)
    {
        var end = rawTarget.IndexOfAny('?', '#');
        var path = end < 0 ? rawTarget : rawTarget[..end];
        if (path.Length > 1 && path[^1] == '/')
        {
            path = path[..^1];
        }

        return path[(path.LastIndexOf('/') + 1)..];
    }

    public static bool TryDecode(ReadOnlySpan<char> segment, out string value)
    {
        if (!segment.Contains('%') && Ascii.IsValid(segment))
        {
            value = segment.ToString();
            return true;
        }

        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(segment.Length));
        try
        {
            var length = 0;
            for (var i = 0; i < segment.Length; i++)
            {
                var c = segment[i];
                if (c == '%')
                {
                    if (i + 2 >= segment.Length || !char.IsAsciiHexDigit(segment[i + 1]) || !char.IsAsciiHexDigit(segment[i + 2]))
                    {
                        value = "";
                        return false;
                    }

                    rented[length++] = (byte)((HexValue(segment[i + 1]) << 4) | HexValue(segment[i + 2]));
                    i += 2;
                }
                else if (char.IsAscii(c))
                {
                    rented[length++] = (byte)c;
                }
                else
                {
                    // A server that hands over unencoded non-ASCII text: keep it as its UTF-8 bytes.
                    var end = i + 1;
                    while (end < segment.Length && !char.IsAscii(segment[end]))
                    {
                        end++;
                    }

                    length += StrictUtf8.GetBytes(segment[i..end], rented.AsSpan(length));
                    i = end - 1;
                }
            }

            value = StrictUtf8.GetString(rented, 0, length);
            return true;
        }
        catch (Exception ex) when (ex is DecoderFallbackException or EncoderFallbackException)
        {
            value = "";
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
