namespace Faust.Runtime;

/// <summary>A topic as the worker declares it on the broker at start.</summary>
internal interface ITopicDeclaration
{
    /// <summary>The topic's name.</summary>
    string Name { get; }

    /// <summary>The partition count it was declared with, or null for the app's default.</summary>
    int? DeclaredPartitions { get; }

    /// <summary>True for topics the app owns (repartition, dead letters): closed to HTTP produce.</summary>
    bool IsInternal { get; }
}
