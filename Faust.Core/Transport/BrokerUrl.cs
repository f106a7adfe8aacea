namespace Faust.Transport;

/// <summary>The kinds of broker a Faust.NET app can run on.</summary>
public enum BrokerKind
{
    /// <summary><c>memory://</c>: in process and volatile.</summary>
    Memory,

    /// <summary><c>embedded://</c>: in process and durable, in a directory.</summary>
    Embedded,

    /// <summary><c>kafka://</c>: Apache Kafka.</summary>
    Kafka,
}

/// <summary>A parsed <c>Faust:Broker</c> setting.</summary>
/// <param name="Kind">Which transport.</param>
/// <param name="Location">memory: an optional name shared inside the process; embedded: an optional directory;
/// kafka: the bootstrap servers (<c>host:port,host:port</c>).</param>
public sealed record BrokerUrl(BrokerKind Kind, string Location)
{
    /// <summary>Parses a broker URL.</summary>
    /// <returns>False with a message naming the setting and the accepted forms when the URL is not valid.</returns>
    public static bool TryParse(string? value, out BrokerUrl? url, out string? error)
    {
        url = null;
        error = null;
        var text = value?.Trim() ?? "";
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        var scheme = separator < 0 ? "" : text[..separator].ToLowerInvariant();
        var rest = separator < 0 ? "" : text[(separator + 3)..];
        switch (scheme)
        {
            case "memory":
                url = new BrokerUrl(BrokerKind.Memory, rest.Trim('/'));
                return true;
            case "embedded":
                url = new BrokerUrl(BrokerKind.Embedded, rest);
                return true;
            case "kafka":
                var servers = rest.Replace(';', ',').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (servers.Length > 0 && servers.All(IsHostPort))
                {
                    url = new BrokerUrl(BrokerKind.Kafka, string.Join(',', servers));
                    return true;
                }

                error = $"Faust:Broker '{value}' is not valid: kafka:// needs host:port pairs separated by commas, such as kafka://localhost:9092,kafka-2:9092.";
                return false;
            default:
                error = $"Faust:Broker '{value}' is not valid: use memory://, embedded://[directory] or kafka://host:port[,host:port].";
                return false;
        }
    }

    private static bool IsHostPort(string server)
    {
        var colon = server.LastIndexOf(':');
        return colon > 0 && int.TryParse(server[(colon + 1)..], out var port) && port is > 0 and < 65536;
    }
}
