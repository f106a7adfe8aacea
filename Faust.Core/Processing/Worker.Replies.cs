using Faust.Agents;
using Faust.Runtime;
using Faust.Transport;
using Microsoft.Extensions.Logging;

namespace Faust.Processing;

// The worker's reply consumer: the topic Faust's request/reply answers arrive on, started at the first request and
// stopped with the worker.
internal sealed partial class Worker
{
    private readonly SemaphoreSlim _repliesLock = new(1, 1);
    private ReplyConsumer? _replies;

    /// <summary>This worker's reply consumer (Faust's <c>reply_to</c> topic), started at the first request.</summary>
    /// <exception cref="ReplyTopicUnavailableException">The broker refused the reply topic.</exception>
    public async Task<ReplyConsumer> RepliesAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _replies) is { } replies)
        {
            return replies;
        }

        await _repliesLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_replies is null)
            {
                var topic = ReplyTopic ?? $"f-reply-{Guid.NewGuid()}";
                try
                {
                    _replies = await ReplyConsumer.StartAsync(_transport, topic, Logger, ct).ConfigureAwait(false);
                }
                catch (InvalidOperationException ex)
                {
                    throw new ReplyTopicUnavailableException(topic, ex);
                }
            }

            return _replies;
        }
        finally
        {
            _repliesLock.Release();
        }
    }

    private async Task StopRepliesAsync()
    {
        if (Interlocked.Exchange(ref _replies, null) is { } replies)
        {
            await replies.DisposeAsync().ConfigureAwait(false);
        }
    }
}
