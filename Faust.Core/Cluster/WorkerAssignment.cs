using Faust.Transport;

namespace Faust.Cluster;

/// <summary>What one worker of the app holds, as it published it to the assignor topic <c>{group}-__assignor</c>.</summary>
/// <param name="WorkerId">The worker's id (<c>Faust:WorkerId</c>); the key of its record.</param>
/// <param name="Url">The URL other workers and clients reach it at (<c>Faust:CanonicalUrl</c>), or null when it
/// serves no HTTP.</param>
/// <param name="Generation">The worker's own counter, bumped every time its assignment or standbys change; a
/// republished record with the same content keeps it.</param>
/// <param name="Actives">The partitions it is assigned: source topics and the table changelog partitions it writes.</param>
/// <param name="Standbys">The changelog partitions it keeps standby replicas of.</param>
public sealed record WorkerAssignment(
    string WorkerId,
    string? Url,
    long Generation,
    IReadOnlyList<TopicPartition> Actives,
    IReadOnlyList<TopicPartition> Standbys)
{
    /// <summary>True when both name the same worker, URL, partitions and standbys (the generation aside).</summary>
    /// <param name="other">The assignment to compare with.</param>
    public bool SameContent(WorkerAssignment? other) =>
        other is not null
        && string.Equals(WorkerId, other.WorkerId, StringComparison.Ordinal)
        && string.Equals(Url, other.Url, StringComparison.Ordinal)
        && Actives.SequenceEqual(other.Actives)
        && Standbys.SequenceEqual(other.Standbys);

    /// <summary>Equal when the content and the generation are: the partition lists compare by their elements.</summary>
    /// <param name="other">The assignment to compare with.</param>
    public bool Equals(WorkerAssignment? other) => other is not null && Generation == other.Generation && SameContent(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(WorkerId, Url, Generation, Actives.Count, Standbys.Count);
}
