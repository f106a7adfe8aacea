using System.Runtime.CompilerServices;
using Faust.Runtime;
using Faust.Streams;
using Faust.Topics;

namespace Faust.Agents;

/// <summary>
/// An agent whose function yields results (Faust's agents that <c>yield</c>): an
/// <see cref="IAsyncEnumerable{T}"/> over its stream. Each result is sent to the requester when the event is a
/// request (<see cref="AskAsync"/>), and to every sink (<see cref="AddSink{TSinkKey}(Topic{TSinkKey, TResult})"/>).
/// </summary>
/// <remarks>
/// <para>C# has no iterator lambdas, so the function is a method or local function:
/// <c>async IAsyncEnumerable&lt;int&gt; Lengths(Stream&lt;string, string&gt; words, [EnumeratorCancellation] CancellationToken ct)
/// { await foreach (var w in words.WithCancellation(ct)) yield return w.Length; }</c>.</para>
/// <para>A result belongs to the event the stream holds when it is yielded. It is delivered (reply, then sinks in
/// the order they were added) before the stream moves on, so the event is acknowledged only after its results are
/// on their way: topic sinks and replies are queued at the producer and durable before the next commit; callback
/// sinks are awaited. A sink that throws fails the event like the function throwing would.</para>
/// <para><see cref="AskAsync"/>, <see cref="Map"/>, <see cref="KvMap"/>, <see cref="JoinAsync"/> and
/// <see cref="KvJoinAsync"/> are thread safe; so is <see cref="AddSink{TSinkKey}(Topic{TSinkKey, TResult})"/>.</para>
/// </remarks>
/// <typeparam name="TKey">The key type of the source.</typeparam>
/// <typeparam name="TValue">The value type of the source.</typeparam>
/// <typeparam name="TResult">The type of the results.</typeparam>
public sealed class Agent<TKey, TValue, TResult> : Agent<TKey, TValue>
{
    private readonly Func<Stream<TKey, TValue>, CancellationToken, IAsyncEnumerable<TResult>> _handler;
    private readonly Lock _sinksLock = new();
    private AgentSink<TResult>[] _sinks = [];

    internal Agent(string name, AgentSource<TKey, TValue> source, AgentOptions options,
        Func<Stream<TKey, TValue>, CancellationToken, IAsyncEnumerable<TResult>> handler)
        : base(name, source, options)
    {
        _handler = handler;
    }

    /// <summary>Sends every result to <paramref name="topic"/> as a value without a key (Faust's topic sinks).</summary>
    /// <typeparam name="TSinkKey">The topic's key type (unused: results carry no key).</typeparam>
    /// <param name="topic">A topic of the result type.</param>
    /// <returns>This agent.</returns>
    public Agent<TKey, TValue, TResult> AddSink<TSinkKey>(Topic<TSinkKey, TResult> topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return Add(new AgentSink<TResult>.ToTopic<TSinkKey>(topic));
    }

    /// <summary>Sends every result to another agent, whose values are of the result type (Faust's agent sinks).</summary>
    /// <typeparam name="TSinkKey">The other agent's key type (results carry no key).</typeparam>
    /// <param name="agent">The agent.</param>
    /// <returns>This agent.</returns>
    public Agent<TKey, TValue, TResult> AddSink<TSinkKey>(Agent<TSinkKey, TResult> agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return Add(new AgentSink<TResult>.ToAgent<TSinkKey>(agent));
    }

    /// <summary>Calls <paramref name="callback"/> with every result, and waits for it before the agent moves on.</summary>
    /// <param name="callback">The callback.</param>
    /// <returns>This agent.</returns>
    public Agent<TKey, TValue, TResult> AddSink(Func<TResult, Task> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Add(new AgentSink<TResult>.ToCallback(callback));
    }

    /// <summary>Calls <paramref name="callback"/> with every result.</summary>
    /// <param name="callback">The callback.</param>
    /// <returns>This agent.</returns>
    public Agent<TKey, TValue, TResult> AddSink(Action<TResult> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Add(new AgentSink<TResult>.ToCallback(r =>
        {
            callback(r);
            return Task.CompletedTask;
        }));
    }

    /// <summary>Sends a request and waits for the agent's reply: the first result it yields for the request (Faust's
    /// <c>agent.ask</c>). The request carries Faust's <c>Faust-Ag-ReplyTo</c> and <c>Faust-Ag-CorrelationId</c>
    /// headers; the reply comes back on this worker's reply topic <c>f-reply-{uuid}</c>.</summary>
    /// <param name="value">The request.</param>
    /// <param name="key">The key; it picks the partition of a topic source.</param>
    /// <param name="partition">An explicit partition.</param>
    /// <param name="timeout">How long to wait; default <see cref="AgentOptions.AskTimeout"/>.</param>
    /// <param name="ct">Cancels waiting.</param>
    /// <returns>The result.</returns>
    /// <exception cref="TimeoutException">No reply came within the timeout.</exception>
    public async Task<TResult> AskAsync(TValue value, TKey key = default!, int? partition = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var replies = await App.Worker.RepliesAsync(ct).ConfigureAwait(false);
        var waiter = replies.Register<TResult>();
        var limit = timeout ?? Options.AskTimeout;
        try
        {
            await Source.SendEventAsync(key, value, partition, ReplyHeaders.With(null, replies.Topic, waiter.CorrelationId), null, ct).ConfigureAwait(false);
            return await waiter.Task.WaitAsync(limit, App.Time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Agent {Name} did not reply to request {waiter.CorrelationId} within {limit}.", ex);
        }
        finally
        {
            replies.Forget(waiter.CorrelationId);
        }
    }

    /// <summary>Asks the agent about each value and yields the replies as they come (Faust's <c>agent.map</c>): the
    /// order is not the input's.</summary>
    /// <param name="values">The requests (without keys).</param>
    /// <param name="timeout">How long to wait for all replies; default <see cref="AgentOptions.AskTimeout"/>.</param>
    /// <param name="ct">Cancels waiting.</param>
    /// <exception cref="TimeoutException">Some reply did not come within the timeout.</exception>
    public IAsyncEnumerable<TResult> Map(IEnumerable<TValue> values, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        return KvMap(values.Select(v => new KeyValuePair<TKey, TValue>(default!, v)), timeout, ct);
    }

    /// <summary>Asks the agent about each (key, value) and yields the replies as they come (Faust's <c>agent.kvmap</c>).</summary>
    /// <param name="items">The requests.</param>
    /// <param name="timeout">How long to wait for all replies; default <see cref="AgentOptions.AskTimeout"/>.</param>
    /// <param name="ct">Cancels waiting.</param>
    /// <exception cref="TimeoutException">Some reply did not come within the timeout.</exception>
    public async IAsyncEnumerable<TResult> KvMap(IEnumerable<KeyValuePair<TKey, TValue>> items, TimeSpan? timeout = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var (replies, waiters, pending) = await SendAllAsync(items, timeout, ct).ConfigureAwait(false);
        try
        {
            await foreach (var done in Task.WhenEach(pending).WithCancellation(ct).ConfigureAwait(false))
            {
                yield return await done.ConfigureAwait(false);
            }
        }
        finally
        {
            Forget(replies, waiters);
        }
    }

    /// <summary>Asks the agent about each value and returns the replies in the input's order (Faust's <c>agent.join</c>).</summary>
    /// <param name="values">The requests (without keys).</param>
    /// <param name="timeout">How long to wait for all replies; default <see cref="AgentOptions.AskTimeout"/>.</param>
    /// <param name="ct">Cancels waiting.</param>
    /// <exception cref="TimeoutException">Some reply did not come within the timeout.</exception>
    public Task<IReadOnlyList<TResult>> JoinAsync(IEnumerable<TValue> values, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        return KvJoinAsync(values.Select(v => new KeyValuePair<TKey, TValue>(default!, v)), timeout, ct);
    }

    /// <summary>Asks the agent about each (key, value) and returns the replies in the input's order (Faust's <c>agent.kvjoin</c>).</summary>
    /// <param name="items">The requests.</param>
    /// <param name="timeout">How long to wait for all replies; default <see cref="AgentOptions.AskTimeout"/>.</param>
    /// <param name="ct">Cancels waiting.</param>
    /// <exception cref="TimeoutException">Some reply did not come within the timeout.</exception>
    public async Task<IReadOnlyList<TResult>> KvJoinAsync(IEnumerable<KeyValuePair<TKey, TValue>> items, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var (replies, waiters, pending) = await SendAllAsync(items, timeout, ct).ConfigureAwait(false);
        try
        {
            return await Task.WhenAll(pending).ConfigureAwait(false);
        }
        finally
        {
            Forget(replies, waiters);
        }
    }

    internal override async Task RunHandlerAsync(Stream<TKey, TValue> stream, StreamContext context, CancellationToken ct)
    {
        await foreach (var result in _handler(stream, ct).WithCancellation(ct).ConfigureAwait(false))
        {
            if (ReplyHeaders.TryRead(context.Headers, out var replyTo, out var correlationId))
            {
                var worker = App.Worker;
                worker.ProduceReply(new Transport.TopicPartition(replyTo, 0),
                    ReplyConsumer.BuildReply(correlationId, context.RawKey, result, worker.Time.GetUtcNow().ToUnixTimeMilliseconds()));
            }

            foreach (var sink in Volatile.Read(ref _sinks))
            {
                await sink.DeliverAsync(result, ct).ConfigureAwait(false);
            }
        }
    }

    internal void RemoveSink(AgentSink<TResult> sink)
    {
        lock (_sinksLock)
        {
            _sinks = [.. _sinks.Where(s => !ReferenceEquals(s, sink))];
        }
    }

    internal Agent<TKey, TValue, TResult> Add(AgentSink<TResult> sink)
    {
        lock (_sinksLock)
        {
            _sinks = [.. _sinks, sink];
        }

        return this;
    }

    private async Task<(ReplyConsumer Replies, List<ReplyWaiter<TResult>> Waiters, List<Task<TResult>> Pending)> SendAllAsync(
        IEnumerable<KeyValuePair<TKey, TValue>> items, TimeSpan? timeout, CancellationToken ct)
    {
        var replies = await App.Worker.RepliesAsync(ct).ConfigureAwait(false);
        var limit = timeout ?? Options.AskTimeout;
        var waiters = new List<ReplyWaiter<TResult>>();
        var pending = new List<Task<TResult>>();
        try
        {
            foreach (var (key, value) in items)
            {
                var waiter = replies.Register<TResult>();
                waiters.Add(waiter);
                await Source.SendEventAsync(key, value, null, ReplyHeaders.With(null, replies.Topic, waiter.CorrelationId), null, ct).ConfigureAwait(false);
                pending.Add(WaitAsync(waiter, limit, ct));
            }
        }
        catch
        {
            Forget(replies, waiters);
            throw;
        }

        return (replies, waiters, pending);
    }

    private async Task<TResult> WaitAsync(ReplyWaiter<TResult> waiter, TimeSpan limit, CancellationToken ct)
    {
        try
        {
            return await waiter.Task.WaitAsync(limit, App.Time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Agent {Name} did not reply to request {waiter.CorrelationId} within {limit}.", ex);
        }
    }

    private static void Forget(ReplyConsumer replies, List<ReplyWaiter<TResult>> waiters)
    {
        foreach (var waiter in waiters)
        {
            replies.Forget(waiter.CorrelationId);
        }
    }
}
