namespace Faust.Serialization;

/// <summary>A codec registered by name in a <see cref="CodecRegistry"/> that can serve more than one type (as Faust's
/// <c>json</c> serves every model).</summary>
/// <remarks>Implementations must be thread safe; the registry caches nothing, so cache expensive codecs yourself.</remarks>
public interface ICodecProvider
{
    /// <summary>Creates the codec for <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The key or value type. In a chain (<c>json|binary</c>) every codec after the first is asked
    /// for <see cref="T:byte[]"/>.</typeparam>
    /// <param name="registry">The registry asking, for its <see cref="CodecRegistry.Json"/> settings.</param>
    /// <returns>The codec, or null when this codec cannot encode <typeparamref name="T"/>.</returns>
    ICodec<T>? Create<T>(CodecRegistry registry);
}
