using System.Globalization;
using System.Text;
using Faust.Transport;

namespace Faust.Processing;

/// <summary>Writes dead letters to their topic through the worker's producer: inside the worker's transaction under
/// exactly_once (so the dead letter and the acknowledgement commit together), flushed before the next commit
/// otherwise. The record keeps its key (so it lands on the key's partition), value, headers and timestamp, and
/// gains <c>faust-dlq-*</c> headers: the exception's type, message and stack trace, the agent, the source topic,
/// partition and offset, and the attempts.</summary>
internal sealed class DeadLetterTopicSink(Worker worker) : IDeadLetterSink
{
    /// <summary>Header names, all prefixed <c>faust-dlq-</c>.</summary>
    public const string ErrorHeader = "faust-dlq-error";
    public const string MessageHeader = "faust-dlq-message";
    public const string StackTraceHeader = "faust-dlq-stacktrace";
    public const string AgentHeader = "faust-dlq-agent";
    public const string TopicHeader = "faust-dlq-topic";
    public const string PartitionHeader = "faust-dlq-partition";
    public const string OffsetHeader = "faust-dlq-offset";
    public const string AttemptsHeader = "faust-dlq-attempts";

    private const int MaxStackTraceBytes = 16 * 1024;

    public void Send(DeadLetter letter)
    {
        var record = letter.Record;
        var headers = new List<RecordHeader>((record.Headers?.Count ?? 0) + 8);
        if (record.Headers is { } original)
        {
            headers.AddRange(original);
        }

        headers.Add(Text(ErrorHeader, letter.Error.GetType().FullName ?? letter.Error.GetType().Name));
        headers.Add(Text(MessageHeader, letter.Error.Message));
        var trace = Encoding.UTF8.GetBytes(letter.Error.ToString());
        headers.Add(new RecordHeader(StackTraceHeader, trace.Length <= MaxStackTraceBytes ? trace : trace[..MaxStackTraceBytes]));
        headers.Add(Text(AgentHeader, letter.Agent));
        headers.Add(Text(TopicHeader, letter.SourceTopic));
        headers.Add(Text(PartitionHeader, letter.SourcePartition.ToString(CultureInfo.InvariantCulture)));
        headers.Add(Text(OffsetHeader, letter.SourceOffset.ToString(CultureInfo.InvariantCulture)));
        headers.Add(Text(AttemptsHeader, letter.Attempts.ToString(CultureInfo.InvariantCulture)));

        var partitions = worker.PartitionCount(letter.Topic);
        var partition = record.Key is { } key
            ? Routing.Partitioner.Default.PartitionFor(key, partitions)
            : Math.Max(letter.SourcePartition, 0) % partitions;
        worker.Produce(new TopicPartition(letter.Topic, partition), new TransportRecord(record.Key, record.Value, headers, record.TimestampMs));
    }

    private static RecordHeader Text(string name, string value) => new(name, Encoding.UTF8.GetBytes(value));
}
