namespace Faust.Web.Routing;

// The headers of one forwarding hop (DESIGN decision 5).
internal static class ForwardingHeaders
{
    // Added by the worker that forwards, with its worker id; a request carrying it is never forwarded again.
    public const string ForwardedBy = "Faust-Forwarded-By";

    // Faust:Web:ClusterSecret, added by the forwarder and required on forwarded requests when configured.
    public const string ClusterSecret = "Faust-Cluster-Secret";

    // On a forwarded answer: the owner's URL that answered it.
    public const string ForwardedTo = "Faust-Forwarded-To";

    // On an answer read from a standby replica: "true", and how many changelog records it is behind.
    public const string Standby = "Faust-Standby";
    public const string StandbyLag = "Faust-Standby-Lag";
}
