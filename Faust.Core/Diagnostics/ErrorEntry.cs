namespace Faust.Diagnostics;

/// <summary>An error the monitor recorded: when, where (an agent's name, or <c>worker</c>), what kind, and the
/// exception's type and message.</summary>
internal sealed record ErrorEntry(DateTimeOffset Time, string Source, string Kind, string Type, string Message, string? Where = null);
