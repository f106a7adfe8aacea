using Faust.Transport;

namespace Faust.Processing;

// The seam between supervision (issue 4) and the dead-letter writer of the records work (issue 3), which
// dead-letters records that cannot be decoded. Supervision only needs "queue this record, with why it failed,
// for this agent's dead-letter topic"; when both land, one writer should serve both, with one set of headers.

/// <summary>Writes failed records to an agent's dead-letter topic.</summary>
internal interface IDeadLetterSink
{
    /// <summary>Queues the record (its original key, value, headers and timestamp) with headers naming the error and
    /// where it came from. Durable before the next commit, so the failed event can be acknowledged now.</summary>
    void Send(DeadLetter letter);
}

/// <summary>A record an agent failed on.</summary>
/// <param name="Topic">The dead-letter topic.</param>
/// <param name="Agent">The agent's name.</param>
/// <param name="Record">The record as it was read.</param>
/// <param name="SourceTopic">Where the record was read.</param>
/// <param name="SourcePartition">Its partition (-1 for channels).</param>
/// <param name="SourceOffset">Its offset (-1 for channels).</param>
/// <param name="Error">The last exception.</param>
/// <param name="Attempts">How many times processing was tried.</param>
internal sealed record DeadLetter(string Topic, string Agent, TransportRecord Record, string SourceTopic, int SourcePartition, long SourceOffset, Exception Error, int Attempts);
