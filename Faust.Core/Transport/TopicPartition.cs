namespace Faust.Transport;

/// <summary>A partition of a topic.</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partition">The partition number, from 0.</param>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    /// <inheritdoc />
    public override string ToString() => $"{Topic}[{Partition}]";
}
