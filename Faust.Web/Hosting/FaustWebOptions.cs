namespace Faust.Web.Hosting;

/// <summary>Settings of the Faust.NET HTTP endpoints, bound from the <c>Faust:Web</c> configuration section.</summary>
public sealed class FaustWebOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "Faust:Web";

    /// <summary>The largest body <c>POST /topics/{name}</c> and a POST to a table route (<c>MapTableRoute</c>) accept,
    /// in bytes; larger bodies get 413. Default 1 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The <c>Retry-After</c> a 503 carries while tables recover or a key's owner is unknown. Default 1 s.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a worker waits for the owner of a key to answer a forwarded request before it answers 503.
    /// Default 5 s.</summary>
    public TimeSpan ForwardTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A secret shared by the workers of the app, or null (the default) for none. When set, a worker adds it to
    /// every request it forwards (header <c>Faust-Cluster-Secret</c>) and refuses requests marked as forwarded
    /// (<c>Faust-Forwarded-By</c>) that do not carry it: 401 without it, 403 with a wrong one. At least 16 characters.</summary>
    public string? ClusterSecret { get; set; }

    /// <summary>How many changelog records a standby replica may be behind for this worker to answer
    /// <c>GET /table/{name}/{key}/</c> from it when the key's owner is unknown or cannot be reached (the answer carries
    /// <c>Faust-Standby: true</c> and <c>Faust-Standby-Lag</c>). -1 (the default) turns standby reads off: the answer
    /// is 503, as with Kafka Streams, where stale reads are opt-in (<c>StoreQueryParameters.enableStaleStores</c>).
    /// 0 answers only from a standby that has applied its whole changelog.</summary>
    public long StandbyReadMaxLag { get; set; } = -1;

    /// <summary>Checks every setting.</summary>
    /// <returns>One message per bad setting, naming it and what it accepts; empty when all are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxRequestBodyBytes <= 0)
        {
            errors.Add($"Faust:Web:MaxRequestBodyBytes {MaxRequestBodyBytes} is not valid: use a number of bytes above 0, such as 1048576.");
        }

        if (RetryAfter <= TimeSpan.Zero)
        {
            errors.Add($"Faust:Web:RetryAfter '{RetryAfter}' is not valid: use a duration above 0, such as 00:00:01.");
        }

        if (ForwardTimeout <= TimeSpan.Zero || ForwardTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"Faust:Web:ForwardTimeout '{ForwardTimeout}' is not valid: use a duration above 0 and at most 00:05:00, such as 00:00:05.");
        }

        if (StandbyReadMaxLag < -1)
        {
            errors.Add($"Faust:Web:StandbyReadMaxLag {StandbyReadMaxLag} is not valid: use -1 (no standby reads, the default), 0 (only standbys that are caught up) or a number of changelog records, such as 1000.");
        }

        if (ClusterSecret is { Length: > 0 } secret && (secret.Length < 16 || secret.Any(c => char.IsControl(c) || c > '~')))
        {
            errors.Add("Faust:Web:ClusterSecret is not valid: use at least 16 printable ASCII characters (it travels in an HTTP header), or leave it unset.");
        }

        return errors;
    }
}
