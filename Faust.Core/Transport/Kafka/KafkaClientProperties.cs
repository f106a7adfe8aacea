namespace Faust.Transport.Kafka;

/// <summary>The librdkafka properties a deployment sets (<c>Faust:Kafka</c>): common ones, then per client kind, and
/// the few settings Faust.NET reads itself.</summary>
internal sealed record KafkaClientProperties(
    IReadOnlyDictionary<string, string> Common,
    IReadOnlyDictionary<string, string> Consumer,
    IReadOnlyDictionary<string, string> Producer,
    IReadOnlyDictionary<string, string> Admin,
    string? GroupInstanceId,
    short ReplicationFactor,
    TimeSpan RequestTimeout)
{
    /// <summary>Librdkafka's defaults and Faust.NET's own.</summary>
    public static KafkaClientProperties Default { get; } = new(
        new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>(),
        null, -1, TimeSpan.FromSeconds(10));

    /// <summary>The configuration sections by their names under <c>Faust:Kafka</c>.</summary>
    public IEnumerable<(string Section, IReadOnlyDictionary<string, string> Properties)> Sections()
    {
        yield return ("Common", Common);
        yield return ("Consumer", Consumer);
        yield return ("Producer", Producer);
        yield return ("Admin", Admin);
    }
}
