using System.Text;
using Faust.Runtime;
using Faust.Transport;

namespace Faust.Agents;

/// <summary>Faust's request/reply headers: a request carries the topic to reply to and a correlation id; a yielding
/// agent sends what it yields for that request to that topic, with that id.</summary>
public static class ReplyHeaders
{
    /// <summary>The header naming the reply topic (UTF-8), as Faust's <c>Faust-Ag-ReplyTo</c>.</summary>
    public const string ReplyTo = "Faust-Ag-ReplyTo";

    /// <summary>The header carrying the correlation id (UTF-8), as Faust's <c>Faust-Ag-CorrelationId</c>.</summary>
    public const string CorrelationId = "Faust-Ag-CorrelationId";

    internal static IReadOnlyList<RecordHeader> With(IReadOnlyList<RecordHeader>? headers, string replyTo, string correlationId)
    {
        var all = new List<RecordHeader>((headers?.Count ?? 0) + 2);
        if (headers is not null)
        {
            foreach (var header in headers)
            {
                if (header.Key is not ReplyTo and not CorrelationId)
                {
                    all.Add(header);
                }
            }
        }

        all.Add(new RecordHeader(ReplyTo, Encoding.UTF8.GetBytes(replyTo)));
        all.Add(new RecordHeader(CorrelationId, Encoding.UTF8.GetBytes(correlationId)));
        return all;
    }

    /// <summary>Reads the reply topic and correlation id of a request, if it is one.</summary>
    internal static bool TryRead(IReadOnlyList<RecordHeader>? headers, out string replyTo, out string correlationId)
    {
        replyTo = correlationId = "";
        if (headers is null || headers.Count == 0)
        {
            return false;
        }

        string? to = null, id = null;
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            if (header.Key == ReplyTo)
            {
                to = Encoding.UTF8.GetString(header.Value);
            }
            else if (header.Key == CorrelationId)
            {
                id = Encoding.UTF8.GetString(header.Value);
            }
        }

        if (string.IsNullOrEmpty(to) || id is null)
        {
            return false;
        }

        replyTo = to;
        correlationId = id;
        return true;
    }
}
