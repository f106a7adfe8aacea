namespace Faust.Web.Endpoints;

// GET /assignment/: Faust's {"actives": {"topic": [0, 1]}, "standbys": {"changelog": [2]}}.
internal sealed record AssignmentResponse(
    IReadOnlyDictionary<string, IReadOnlyList<int>> Actives,
    IReadOnlyDictionary<string, IReadOnlyList<int>> Standbys);
