namespace Faust.Runtime;

/// <summary>The partition counts of the topics the worker declared, as the broker has them.</summary>
/// <remarks>Complete once the worker has started; thread safe for reads from then on.</remarks>
internal interface ITopicCatalog
{
    /// <summary>A declared topic's partition count; throws for a topic the app did not declare.</summary>
    int PartitionCount(string topic);

    /// <summary>A topic's partition count, when the app declared it.</summary>
    bool TryGetPartitionCount(string topic, out int count);
}
