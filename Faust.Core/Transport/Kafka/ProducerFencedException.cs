namespace Faust.Transport.Kafka;

/// <summary>Another producer with this worker's transactional id took over (a second process with the same
/// <c>Faust:WorkerId</c>, or this worker was presumed dead): this producer can never commit again.</summary>
internal sealed class ProducerFencedException(string transactionalId, Exception inner)
    : InvalidOperationException($"The transactional producer '{transactionalId}' was fenced by a newer producer with the same transactional id; its open transaction is lost.", inner);
