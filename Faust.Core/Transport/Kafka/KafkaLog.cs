using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Faust.Transport.Kafka;

/// <summary>librdkafka's log lines and errors, into ILogger.</summary>
internal static partial class KafkaLog
{
    public static LogLevel LevelOf(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
        SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    public static void Librdkafka(ILogger logger, LogMessage message)
    {
        var level = LevelOf(message.Level);
        if (logger.IsEnabled(level))
        {
            LibrdkafkaLine(logger, level, message.Name, message.Facility, message.Message);
        }
    }

    /// <summary>An error librdkafka reports outside any call: a broker down, a lost connection (it retries those
    /// itself, with backoff), or a fatal error that makes the client unusable.</summary>
    public static void Error(ILogger logger, string client, Error error)
    {
        if (error.IsFatal)
        {
            FatalError(logger, client, error.Code, error.Reason);
        }
        else
        {
            TransientError(logger, client, error.Code, error.Reason);
        }
    }

    [LoggerMessage(Message = "librdkafka {Client} {Facility}: {Text}")]
    private static partial void LibrdkafkaLine(ILogger logger, LogLevel level, string client, string facility, string text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka client {Client} reported {Code}: {Reason}. It retries with backoff.")]
    private static partial void TransientError(ILogger logger, string client, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Kafka client {Client} failed fatally with {Code}: {Reason}.")]
    private static partial void FatalError(ILogger logger, string client, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topic {Topic} with {Partitions} partitions (compacted: {Compacted}).")]
    public static partial void TopicCreated(ILogger logger, string topic, int partitions, bool compacted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker refused to create topics ({Reason}); the worker checks that the topics it needs exist instead.")]
    public static partial void CreationRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka at {Servers} is not reachable ({Reason}); retrying in {DelaySeconds:F1} s.")]
    public static partial void BrokerUnreachable(ILogger logger, string servers, string reason, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Kafka consumer could not read ({Code}: {Reason}); it goes on polling.")]
    public static partial void ConsumeFailed(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Producing to {Topic}[{Partition}] failed: {Reason}. The next commit fails, so the events are processed again.")]
    public static partial void DeliveryFailed(ILogger logger, string topic, int partition, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partitions {Partitions} were lost (the group moved on without this worker); they are dropped without a commit.")]
    public static partial void PartitionsLost(ILogger logger, string partitions);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Committed {Offsets}.")]
    public static partial void Committed(ILogger logger, string offsets);

    [LoggerMessage(Level = LogLevel.Warning, Message = "librdkafka delivered {Partition} from offset {Offset} again, after this consumer had handed out up to {Expected}; the records before {Expected} are dropped, not processed twice.")]
    public static partial void Redelivered(ILogger logger, string partition, long offset, long expected);

    [LoggerMessage(Level = LogLevel.Information, Message = "Assigned {Partitions}.")]
    public static partial void Assigned(ILogger logger, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revoked {Partitions}.")]
    public static partial void Revoked(ILogger logger, string partitions);
}
