namespace Faust.Runtime;

/// <summary>The headers a worker adds to a record it sends to a dead-letter topic (<c>{app id}-{agent}-dlq</c>).</summary>
/// <remarks>
/// <para>A dead-lettered record keeps its key, value, timestamp and original headers byte for byte; these headers
/// are appended. Every value is UTF-8 text (numbers in decimal), so tools such as <c>kcat</c> show them as they are.</para>
/// </remarks>
public static class DeadLetterHeaders
{
    /// <summary>The topic the record was read from.</summary>
    public const string Topic = "faust.dlq.topic";

    /// <summary>Its partition.</summary>
    public const string Partition = "faust.dlq.partition";

    /// <summary>Its offset.</summary>
    public const string Offset = "faust.dlq.offset";

    /// <summary>The agent that could not handle it.</summary>
    public const string Agent = "faust.dlq.agent";

    /// <summary>What failed: <see cref="StageKey"/>, <see cref="StageValue"/> or <see cref="StageAgent"/>.</summary>
    public const string Stage = "faust.dlq.stage";

    /// <summary>The exception's .NET type, such as <c>Faust.Serialization.CodecException</c>.</summary>
    public const string ExceptionType = "faust.dlq.exception.type";

    /// <summary>The exception's message (at most 4,000 characters), with its inner exceptions' messages.</summary>
    public const string ExceptionMessage = "faust.dlq.exception.message";

    /// <summary>How many times the agent's code tried the event before giving up (for <see cref="StageAgent"/>).</summary>
    public const string Attempts = "faust.dlq.attempts";

    /// <summary><see cref="Stage"/> value: the key could not be decoded.</summary>
    public const string StageKey = "decode-key";

    /// <summary><see cref="Stage"/> value: the value could not be decoded (or the record was invalid).</summary>
    public const string StageValue = "decode-value";

    /// <summary><see cref="Stage"/> value: the agent's code (its function, an operator, a sink or a repartition key)
    /// kept failing on the record after its retries.</summary>
    public const string StageAgent = "agent";
}
