using Faust.App;
using Microsoft.Extensions.Options;

namespace Faust.Web.Hosting;

// FaustOptions.Validate names each bad setting and what it accepts; ValidateOnStart turns the messages into an
// OptionsValidationException that stops start-up.
internal sealed class FaustOptionsValidator : IValidateOptions<FaustOptions>
{
    public ValidateOptionsResult Validate(string? name, FaustOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
