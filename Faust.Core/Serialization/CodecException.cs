namespace Faust.Serialization;

/// <summary>
/// Thrown when bytes read from a topic, a changelog or a store cannot be decoded into the expected type.
/// </summary>
/// <remarks>
/// This is the exception for bad input, not for programming errors: a worker catches it and sends the
/// record to its dead-letter topic or skips it, as configured, and keeps going. The message names the
/// target type and the reason; the parser's own exception (for example a
/// <see cref="System.Text.Json.JsonException"/> with the line and position) is the
/// <see cref="Exception.InnerException"/>.
/// </remarks>
public sealed class CodecException : Exception
{
    /// <summary>Creates the exception for bytes that could not be decoded as <paramref name="targetType"/>.</summary>
    /// <param name="targetType">The type the bytes were to be decoded into.</param>
    /// <param name="reason">Why decoding failed, as a sentence fragment (for example "the bytes are not valid UTF-8").</param>
    /// <param name="innerException">The parser's exception, if there was one.</param>
    public CodecException(Type targetType, string reason, Exception? innerException = null)
        : base(FormatMessage(targetType, reason), innerException)
    {
        ArgumentNullException.ThrowIfNull(targetType);
        ArgumentNullException.ThrowIfNull(reason);
        TargetType = targetType;
    }

    /// <summary>The type the bytes were to be decoded into.</summary>
    public Type TargetType { get; }

    /// <summary>Formats a type the way C# writes it, without namespaces: <c>Dictionary&lt;String, Int64&gt;</c>.</summary>
    internal static string DisplayName(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return DisplayName(underlying) + "?";
        }

        if (type.IsArray)
        {
            return DisplayName(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }

        var arguments = type.GetGenericArguments();
        var parts = new string[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            parts[i] = DisplayName(arguments[i]);
        }

        return name + "<" + string.Join(", ", parts) + ">";
    }

    private static string FormatMessage(Type targetType, string reason)
    {
        var typeName = targetType is null ? "(unknown type)" : DisplayName(targetType);
        return $"Cannot decode the bytes as {typeName}: {reason}";
    }
}
