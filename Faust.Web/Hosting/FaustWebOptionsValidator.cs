using Microsoft.Extensions.Options;

namespace Faust.Web.Hosting;

// FaustWebOptions.Validate names each bad setting; ValidateOnStart stops start-up with the messages.
internal sealed class FaustWebOptionsValidator : IValidateOptions<FaustWebOptions>
{
    public ValidateOptionsResult Validate(string? name, FaustWebOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
