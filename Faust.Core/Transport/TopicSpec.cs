namespace Faust.Transport;

/// <summary>What a topic should look like when the app declares it.</summary>
/// <param name="Name">Topic name.</param>
/// <param name="Partitions">Partition count.</param>
/// <param name="Compacted">True for changelogs: <c>cleanup.policy=compact</c>.</param>
/// <param name="Internal">True for topics the app owns (changelogs, repartition, assignor, replies).</param>
internal sealed record TopicSpec(string Name, int Partitions, bool Compacted = false, bool Internal = false);
