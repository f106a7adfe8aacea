namespace Faust.Web.Endpoints;

// GET /table/ and /table/{name}/: Faust's {"name": ..., "help": ...}.
internal sealed record TableInfo(string Name, string? Help);
