using System.Text.Json;
using Faust.Runtime;
using Faust.Transport;

namespace Faust.Topics;

/// <summary>A topic seen without its type parameters, for HTTP produce.</summary>
internal interface ITopicView : ITopicDeclaration
{
    Type KeyType { get; }

    Type ValueType { get; }

    /// <summary>What agents reading the topic do with records that do not decode.</summary>
    DecodeErrorPolicy DecodeErrorPolicy { get; }

    /// <summary>Converts JSON key and value to the topic's types and sends them.</summary>
    /// <exception cref="Serialization.InvalidInputException">The key or value does not fit the topic's types.</exception>
    Task<DeliveryResult> SendJsonAsync(JsonElement? key, JsonElement value, CancellationToken ct);
}
