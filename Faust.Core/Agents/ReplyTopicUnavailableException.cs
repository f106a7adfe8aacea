using Faust.Runtime;

namespace Faust.Agents;

/// <summary>A request (<c>AskAsync</c>) could not be sent because this worker's reply topic does not exist and could
/// not be created: the broker refuses topic creation (no ACL rights; librdkafka's mock cluster has no admin API).
/// Pre-create a topic and name it in <see cref="App.FaustOptions.ReplyTopic"/> (Faust's <c>reply_to</c>).</summary>
/// <remarks>Nothing was sent. The server answers it with 503 and a problem naming <see cref="Topic"/>.</remarks>
public sealed class ReplyTopicUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="topic">The reply topic that is missing.</param>
    /// <param name="inner">Why it could not be created.</param>
    public ReplyTopicUnavailableException(string topic, Exception inner)
        : base($"The reply topic '{topic}' of this worker does not exist and could not be created ({inner.Message}). "
            + "Create a topic for replies (one partition is enough) and set Faust:ReplyTopic to its name.", inner)
    {
        Topic = topic;
    }

    /// <summary>The reply topic that is missing.</summary>
    public string Topic { get; }
}
