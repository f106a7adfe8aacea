namespace Faust.App;

/// <summary>What happens to processed events when a worker crashes.</summary>
public enum ProcessingGuarantee
{
    /// <summary><c>at_least_once</c>: outputs and changelogs are written at once and offsets committed later, so
    /// after a crash some events are processed again. The default, as in Faust.</summary>
    AtLeastOnce,

    /// <summary><c>exactly_once</c>: outputs, changelogs and consumed offsets commit together in one transaction
    /// (Kafka transactions; one atomic batch on the embedded broker), so every input counts exactly once.</summary>
    ExactlyOnce,
}
