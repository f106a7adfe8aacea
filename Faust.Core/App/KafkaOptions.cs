namespace Faust.App;

/// <summary>Settings of the <c>kafka://</c> transport, bound from <c>Faust:Kafka</c>.</summary>
/// <remarks>
/// <para>The four dictionaries pass any librdkafka property (see librdkafka's CONFIGURATION.md) straight to the
/// clients, SASL and SSL included, for example <c>Faust:Kafka:Common:security.protocol=SASL_SSL</c> or the
/// environment variable <c>Faust__Kafka__Consumer__fetch.max.bytes=1048576</c>. <see cref="Common"/> applies to
/// every client; <see cref="Consumer"/>, <see cref="Producer"/> and <see cref="Admin"/> apply to one kind of client
/// and win over <see cref="Common"/>. They are applied after Faust.NET's defaults, so they may change those.</para>
/// <para>A few properties belong to Faust.NET and are refused (start-up names them): <c>bootstrap.servers</c>
/// (use <c>Faust:Broker</c>), <c>group.id</c> (from <c>Faust:Id</c> and <c>Faust:Version</c>),
/// <c>transactional.id</c> (from the app and worker ids), <c>enable.auto.commit</c> and
/// <c>enable.auto.offset.store</c> (offsets are committed as events are acknowledged).</para>
/// </remarks>
public sealed class KafkaOptions
{
    /// <summary>Properties the worker sets itself; pass-through may not override them.</summary>
    public static readonly IReadOnlyList<string> ReservedProperties =
        ["bootstrap.servers", "metadata.broker.list", "group.id", "transactional.id", "enable.auto.commit", "enable.auto.offset.store"];

    /// <summary>librdkafka properties for every client (consumers, producers, admin), such as
    /// <c>security.protocol</c>, <c>sasl.mechanism</c>, <c>sasl.username</c>, <c>ssl.ca.location</c>.</summary>
    public Dictionary<string, string> Common { get; set; } = new(StringComparer.Ordinal);

    /// <summary>librdkafka properties for consumers, such as <c>session.timeout.ms</c>,
    /// <c>partition.assignment.strategy</c> or <c>group.protocol</c>.</summary>
    public Dictionary<string, string> Consumer { get; set; } = new(StringComparer.Ordinal);

    /// <summary>librdkafka properties for producers, such as <c>linger.ms</c>, <c>compression.type</c> or
    /// <c>message.timeout.ms</c>.</summary>
    public Dictionary<string, string> Producer { get; set; } = new(StringComparer.Ordinal);

    /// <summary>librdkafka properties for the admin client that creates topics.</summary>
    public Dictionary<string, string> Admin { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Static group membership (KIP-345): a stable id per worker, so a restart within
    /// <c>session.timeout.ms</c> gets its partitions back without a rebalance. Default none (dynamic membership);
    /// <c>group.instance.id</c> in <see cref="Consumer"/> does the same.</summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>Replication factor of the internal topics the worker creates (changelogs). Default -1: the
    /// broker's <c>default.replication.factor</c>.</summary>
    public short ReplicationFactor { get; set; } = -1;

    /// <summary>How long topic creation and metadata requests may take before they are retried. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Adds one message per bad setting to <paramref name="errors"/>.</summary>
    internal void Validate(List<string> errors)
    {
        foreach (var (section, properties) in Sections())
        {
            foreach (var (name, value) in properties)
            {
                var setting = $"Faust:Kafka:{section}:{name}";
                if (string.IsNullOrWhiteSpace(name) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
                {
                    errors.Add($"{setting} is not valid: librdkafka property names hold letters, digits, '.', '_' and '-', such as sasl.mechanism.");
                }
                else if (ReservedProperties.Contains(name))
                {
                    errors.Add($"{setting} cannot be set: Faust.NET sets {name} itself ({ReservedReason(name)}).");
                }
                else if (value is null)
                {
                    errors.Add($"{setting} has no value.");
                }
            }
        }

        if (GroupInstanceId is { Length: > 0 } id && id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            errors.Add($"Faust:Kafka:GroupInstanceId '{id}' is not valid: use letters, digits, '.', '_' and '-'.");
        }

        if (ReplicationFactor is 0 or < -1)
        {
            errors.Add($"Faust:Kafka:ReplicationFactor {ReplicationFactor} is not valid: use -1 (the broker's default) or 1 or more.");
        }

        if (RequestTimeout < TimeSpan.FromMilliseconds(100) || RequestTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"Faust:Kafka:RequestTimeout '{RequestTimeout}' is not valid: use 00:00:00.1 to 00:10:00.");
        }
    }

    /// <summary>The properties as the Kafka transport takes them.</summary>
    internal Transport.Kafka.KafkaClientProperties ToClientProperties() =>
        new(Common, Consumer, Producer, Admin, GroupInstanceId, ReplicationFactor, RequestTimeout);

    internal IEnumerable<(string Section, Dictionary<string, string> Properties)> Sections()
    {
        yield return (nameof(Common), Common);
        yield return (nameof(Consumer), Consumer);
        yield return (nameof(Producer), Producer);
        yield return (nameof(Admin), Admin);
    }

    private static string ReservedReason(string name) => name switch
    {
        "bootstrap.servers" or "metadata.broker.list" => "use Faust:Broker=kafka://host:port,...",
        "group.id" => "it is Faust:Id, with -v{Faust:Version} above version 1",
        "transactional.id" => "it is {group}-{Faust:WorkerId} under exactly_once",
        _ => "offsets are stored as events are acknowledged and committed every Faust:CommitInterval",
    };
}
