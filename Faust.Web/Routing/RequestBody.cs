using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace Faust.Web.Routing;

// A request body read whole, up to a limit (Faust:Web:MaxRequestBodyBytes): produce and routed POSTs.
internal static class RequestBody
{
    // The body, or null when it is larger than the limit. The server's own limit is lowered to ours where it can
    // be, so a huge upload is cut off early; the count below covers servers without one.
    public static async Task<ArrayBufferWriter<byte>?> ReadAsync(HttpContext context, long limit, CancellationToken ct)
    {
        if (!LimitTo(context, limit))
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Clamp(context.Request.ContentLength ?? 4096, 256, Math.Min(limit, 1 << 20)));
        try
        {
            while (true)
            {
                var read = await context.Request.Body.ReadAsync(buffer.GetMemory(4096), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer;
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > limit)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }

    // False when the declared length is over the limit; otherwise lowers the server's limit to ours where it can.
    public static bool LimitTo(HttpContext context, long limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return false;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = limit;
        }

        return true;
    }
}
