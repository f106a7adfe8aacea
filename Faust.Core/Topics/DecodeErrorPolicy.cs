using Faust.Runtime;

namespace Faust.Topics;

/// <summary>What an agent does with a record of its source topic that cannot be decoded (or, with validation on, is
/// invalid). Either way the record's offset is acknowledged, so the partition keeps moving and the worker keeps
/// running.</summary>
public enum DecodeErrorPolicy
{
    /// <summary>The default: the raw record (key, value, headers and timestamp unchanged) goes to the agent's dead-letter
    /// topic <c>{app id}-{agent}-dlq</c>, with headers naming the error and where the record came from (see
    /// <see cref="Runtime.DeadLetterHeaders"/>); it is also logged and counted.</summary>
    DeadLetter,

    /// <summary>The record is logged, counted and skipped (Faust's behaviour).</summary>
    Skip,
}
