using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Faust.Runtime;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Runtime;

// Request/reply (Faust's ask): this worker's reply topic (Faust:ReplyTopic, or `f-reply-{uuid}`, one partition,
// internal; replies go to its partition 0) is read by an
// assign-only consumer from its end, outside the consumer group; each reply completes the request waiting on its
// correlation id. Replies use Faust's wire format, a ReqRepResponse record:
//   {"key": <request key>, "value": <result>, "correlation_id": "<id>", "__faust": {"ns": "@ReqRepResponse"}}
// so Faust.NET and Python Faust agents can answer each other's requests.
internal sealed partial class ReplyConsumer : IAsyncDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<string, IReplyWaiter> _waiters = new(StringComparer.Ordinal);
    private readonly ITransportConsumer _consumer;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _thread;

    private ReplyConsumer(string topic, ITransportConsumer consumer, ILogger logger)
    {
        Topic = topic;
        _consumer = consumer;
        _logger = logger;
        _thread = new Thread(PollLoop) { IsBackground = true, Name = $"faust-replies {topic}" };
    }

    public string Topic { get; }

    public int Pending => _waiters.Count;

    /// <summary>Declares the reply topic and reads it from its end.</summary>
    /// <exception cref="InvalidOperationException">The broker refused the topic.</exception>
    public static async Task<ReplyConsumer> StartAsync(ITransport transport, string topic, ILogger logger, CancellationToken ct)
    {
        await transport.EnsureTopicAsync(new TopicSpec(topic, 1, Internal: true), ct).ConfigureAwait(false);
        var consumer = transport.CreateConsumer(null);
        var tp = new TopicPartition(topic, 0);
        consumer.Assign([new KeyValuePair<TopicPartition, long>(tp, consumer.GetWatermarks(tp).High)]);
        var replies = new ReplyConsumer(topic, consumer, logger);
        replies._thread.Start();
        return replies;
    }

    public ReplyWaiter<T> Register<T>()
    {
        var waiter = new ReplyWaiter<T>(Guid.NewGuid().ToString());
        _waiters[waiter.CorrelationId] = waiter;
        return waiter;
    }

    public void Forget(string correlationId) => _waiters.TryRemove(correlationId, out _);

    private void PollLoop()
    {
        while (!_stopping.IsCancellationRequested)
        {
            RecordBatch? batch;
            try
            {
                batch = _consumer.Poll(PollTimeout);
            }
            catch (ObjectDisposedException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogPollFailed(_logger, ex, Topic);
                return;
            }

            if (batch is null)
            {
                continue;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                if (batch.Records[i].Record.Value is { } value)
                {
                    Dispatch(value);
                }
            }
        }
    }

    private void Dispatch(byte[] reply)
    {
        try
        {
            using var document = JsonDocument.Parse(reply);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("correlation_id", out var id) || id.ValueKind != JsonValueKind.String)
            {
                LogBadReply(_logger, Topic, "no correlation_id");
                return;
            }

            if (_waiters.TryRemove(id.GetString()!, out var waiter))
            {
                waiter.Complete(root.TryGetProperty("value", out var result) ? result : default);
            }
        }
        catch (JsonException ex)
        {
            LogBadReply(_logger, Topic, ex.Message);
        }
    }

    /// <summary>The reply record a yielding agent sends for one result.</summary>
    public static TransportRecord BuildReply<TResult>(string correlationId, byte[]? requestKey, TResult result, long timestampMs)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (requestKey is null)
            {
                writer.WriteNull("key");
            }
            else
            {
                writer.WriteString("key", Encoding.UTF8.GetString(requestKey));
            }

            writer.WritePropertyName("value");
            JsonSerializer.Serialize(writer, result, JsonSerializerOptions.Web);
            writer.WriteString("correlation_id", correlationId);
            writer.WriteStartObject("__faust");
            writer.WriteString("ns", "@ReqRepResponse");
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return new TransportRecord(null, buffer.WrittenSpan.ToArray(), null, timestampMs);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _thread.Join();
        _consumer.Dispose();
        foreach (var waiter in _waiters.Values)
        {
            waiter.Cancel();
        }

        _waiters.Clear();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The reply consumer of {Topic} failed; pending requests will time out.")]
    private static partial void LogPollFailed(ILogger logger, Exception ex, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A record on reply topic {Topic} is not a reply ({Reason}); it is ignored.")]
    private static partial void LogBadReply(ILogger logger, string topic, string reason);
}

internal interface IReplyWaiter
{
    void Complete(JsonElement value);

    void Cancel();
}

/// <summary>One request waiting for its reply.</summary>
internal sealed class ReplyWaiter<T>(string correlationId) : IReplyWaiter
{
    private readonly TaskCompletionSource<T> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string CorrelationId { get; } = correlationId;

    public Task<T> Task => _reply.Task;

    public void Complete(JsonElement value)
    {
        try
        {
            _reply.TrySetResult(value.ValueKind == JsonValueKind.Undefined ? default! : value.Deserialize<T>(JsonSerializerOptions.Web)!);
        }
        catch (JsonException ex)
        {
            _reply.TrySetException(new InvalidOperationException($"The reply to request {CorrelationId} is not a {typeof(T).Name}: {ex.Message}", ex));
        }
    }

    public void Cancel() => _reply.TrySetCanceled();
}
