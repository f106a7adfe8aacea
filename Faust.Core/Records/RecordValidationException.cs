using System.Text.Json;

namespace Faust.Records;

/// <summary>A decoded record broke its DataAnnotations rules or its <see cref="System.ComponentModel.DataAnnotations.IValidatableObject.Validate"/> hook.</summary>
/// <remarks>
/// Thrown only when validation is on (see <see cref="FaustRecordAttribute.Validation"/> and
/// <see cref="Serialization.FaustJsonOptions.Validation"/>). It is a <see cref="JsonException"/>, so the serializer
/// adds the JSON path of the invalid object (<see cref="JsonException.Path"/>); codecs wrap it in a
/// <see cref="Serialization.CodecException"/>, so an invalid record is a decode error like malformed JSON.
/// </remarks>
public sealed class RecordValidationException : JsonException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="recordType">The record type that is invalid.</param>
    /// <param name="errors">Messages per JSON member name (the name on the wire); an empty name for errors of the whole record.</param>
    public RecordValidationException(Type recordType, IReadOnlyDictionary<string, string[]> errors)
        : base(FormatMessage(recordType, errors))
    {
        RecordType = recordType;
        Errors = errors;
    }

    /// <summary>The record type that is invalid.</summary>
    public Type RecordType { get; }

    /// <summary>Messages per JSON member name of the invalid record; an empty name holds errors of the whole record.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    private static string FormatMessage(Type recordType, IReadOnlyDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(recordType);
        ArgumentNullException.ThrowIfNull(errors);
        var parts = new List<string>();
        foreach (var (member, messages) in errors)
        {
            foreach (var message in messages)
            {
                parts.Add(member.Length == 0 ? message : $"{member}: {message}");
            }
        }

        return $"{recordType.Name} is invalid: {string.Join("; ", parts)}";
    }
}
