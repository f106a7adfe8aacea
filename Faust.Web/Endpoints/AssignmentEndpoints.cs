using Faust.Web.Routing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Faust.Web.Endpoints;

// GET /assignment/ (Faust's stats blueprint): the partitions this worker is assigned. Actives are the consumer's
// source partitions plus the table changelog partitions it holds; standbys are what the worker publishes to the
// assignor topic (Worker.PublishStandbys).
internal static class AssignmentEndpoints
{
    public static void MapAssignment(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/assignment/", Get)
            .WithTags("Router").WithName("GetAssignment").WithSummary("The partitions assigned to this worker.");

    private static Ok<AssignmentResponse> Get(FaustApp app, TableRouter router)
    {
        var actives = new SortedDictionary<string, SortedSet<int>>(StringComparer.Ordinal);
        foreach (var tp in app.Engine?.Assignment ?? [])
        {
            Add(actives, tp.Topic).Add(tp.Partition);
        }

        foreach (var table in app.TableViews)
        {
            var held = router.LocalPartitions(table);
            if (held.Count > 0)
            {
                Add(actives, table.ChangelogTopic).UnionWith(held);
            }
        }

        var result = new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
        foreach (var (topic, partitions) in actives)
        {
            result[topic] = [.. partitions];
        }

        var standbys = new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
        foreach (var group in (app.Engine?.Cluster.Mine.Standbys ?? []).GroupBy(tp => tp.Topic, StringComparer.Ordinal))
        {
            standbys[group.Key] = [.. group.Select(tp => tp.Partition).Order()];
        }

        return TypedResults.Ok(new AssignmentResponse(result, standbys));
    }

    private static SortedSet<int> Add(SortedDictionary<string, SortedSet<int>> map, string topic)
    {
        if (!map.TryGetValue(topic, out var set))
        {
            map[topic] = set = [];
        }

        return set;
    }
}
