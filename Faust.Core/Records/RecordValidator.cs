using System.ComponentModel.DataAnnotations;

namespace Faust.Records;

// Runs a record's DataAnnotations attributes and its IValidatableObject.Validate hook; one level deep (nested
// records are validated when they are decoded themselves).
internal static class RecordValidator
{
    public static void ThrowIfInvalid(object record, Func<string, string> jsonName)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(record, new ValidationContext(record), results, validateAllProperties: true))
        {
            return;
        }

        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            var message = result.ErrorMessage ?? "is invalid";
            var members = result.MemberNames.Any() ? result.MemberNames.Select(jsonName) : [string.Empty];
            foreach (var member in members)
            {
                if (!errors.TryGetValue(member, out var list))
                {
                    errors[member] = list = [];
                }

                list.Add(message);
            }
        }

        throw new RecordValidationException(record.GetType(), errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
    }
}
