namespace Faust.Web.Hosting;

/// <summary>Settings of the Faust.NET HTTP endpoints, bound from the <c>Faust:Web</c> configuration section.</summary>
public sealed class FaustWebOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "Faust:Web";

    /// <summary>The largest body <c>POST /topics/{name}</c> accepts, in bytes; larger bodies get 413. Default 1 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The <c>Retry-After</c> a 503 carries while tables recover or a key's owner is unknown. Default 1 s.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
