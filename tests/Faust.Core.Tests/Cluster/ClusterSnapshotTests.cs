using Faust.Cluster;
using Faust.Transport;

namespace Faust.Core.Tests.Cluster;

public sealed class ClusterSnapshotTests
{
    private static readonly TopicPartition P0 = new("app-counts-changelog", 0);
    private static readonly TopicPartition P1 = new("app-counts-changelog", 1);
    private static readonly TopicPartition P2 = new("app-counts-changelog", 2);

    [Fact]
    public void OwnerOf_IsTheOneWorkerThatClaimsThePartition()
    {
        var snapshot = new ClusterSnapshot(3, [
            new WorkerAssignment("a", "http://a:6066", 1, [P0], [P1]),
            new WorkerAssignment("b", "http://b:6066", 4, [P1], []),
        ]);

        Assert.Equal("a", snapshot.OwnerOf(P0)?.WorkerId);
        Assert.Equal("http://b:6066", snapshot.OwnerOf(P1)?.Url);
        Assert.Equal(3, snapshot.Generation);
        Assert.Equal(["a", "b"], snapshot.Workers.Keys.Order());
    }

    [Fact]
    public void OwnerOf_IsNull_WhenNobodyOrMoreThanOneWorkerClaimsThePartition()
    {
        // Mid-rebalance: the new owner c published before the old owner a let go of partition 0.
        var snapshot = new ClusterSnapshot(1, [
            new WorkerAssignment("a", "http://a:6066", 1, [P0], []),
            new WorkerAssignment("b", "http://b:6066", 1, [P1], []),
            new WorkerAssignment("c", "http://c:6066", 1, [P0], []),
        ]);

        Assert.Null(snapshot.OwnerOf(P0));
        Assert.True(snapshot.IsContested(P0));
        Assert.Null(snapshot.OwnerOf(P2));
        Assert.False(snapshot.IsContested(P2));
        Assert.Equal("b", snapshot.OwnerOf(P1)?.WorkerId);
    }

    [Fact]
    public void StandbysOf_ListsEveryWorkerKeepingAReplica()
    {
        var snapshot = new ClusterSnapshot(1, [
            new WorkerAssignment("a", null, 1, [P0], [P1, P2]),
            new WorkerAssignment("b", null, 1, [P1], [P2]),
        ]);

        Assert.Equal(["a", "b"], snapshot.StandbysOf(P2).Select(w => w.WorkerId).Order());
        Assert.Equal(["a"], snapshot.StandbysOf(P1).Select(w => w.WorkerId));
        Assert.Empty(snapshot.StandbysOf(P0));
        Assert.Empty(ClusterSnapshot.Empty.Workers);
        Assert.Null(ClusterSnapshot.Empty.OwnerOf(P0));
    }

    [Fact]
    public void WireFormat_RoundTrips_InTheShapeOfGetAssignment()
    {
        var assignment = new WorkerAssignment("w-1", "http://w1:6066", 7, [new("clicks", 3), P0, new("clicks", 1)], [P2]);

        var bytes = ClusterView.Encode(assignment with { Actives = [new("clicks", 1), new("clicks", 3), P0] });
        var json = System.Text.Encoding.UTF8.GetString(bytes);
        var decoded = ClusterView.Decode("w-1", bytes);

        Assert.Equal("""{"worker_id":"w-1","url":"http://w1:6066","generation":7,"actives":{"clicks":[1,3],"app-counts-changelog":[0]},"standbys":{"app-counts-changelog":[2]}}""", json);
        Assert.Equal(7, decoded.Generation);
        Assert.True(decoded.SameContent(assignment with { Actives = [P0, new("clicks", 1), new("clicks", 3)] }));
    }
}
