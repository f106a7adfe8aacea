namespace Faust.Web.Health;

// /healthz runs the checks tagged live; /readyz runs both.
internal static class FaustHealthTags
{
    public const string Live = "live";
    public const string Ready = "ready";
}
