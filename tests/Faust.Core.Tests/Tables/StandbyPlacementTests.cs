using Faust.Tables;
using Faust.Transport;

namespace Faust.Core.Tests.Tables;

public sealed class StandbyPlacementTests
{
    private static readonly string[] Workers = ["w3", "w1", "w2"];

    // Partition p of "log" is owned by the worker at index p % 3 of w1, w2, w3.
    private static string? RoundRobin(TopicPartition tp) => $"w{tp.Partition % 3 + 1}";

    [Fact]
    public void Standbys_AreTheNextWorkersAfterTheOwner_InWorkerIdOrder_Wrapping()
    {
        Assert.Equal(["w2"], StandbyPlacement.StandbysOf("w1", ["w1", "w2", "w3"], 1));
        Assert.Equal(["w1"], StandbyPlacement.StandbysOf("w3", ["w1", "w2", "w3"], 1));
        Assert.Equal(["w3", "w1"], StandbyPlacement.StandbysOf("w2", ["w1", "w2", "w3"], 2));
    }

    [Fact]
    public void Standbys_NeverIncludeTheOwner_EvenWithMoreReplicasThanWorkers()
    {
        Assert.Equal(["w1", "w2"], StandbyPlacement.StandbysOf("w3", ["w1", "w2", "w3"], 5));
        Assert.Empty(StandbyPlacement.StandbysOf("w1", ["w1"], 1));
        Assert.Empty(StandbyPlacement.StandbysOf("w1", ["w1", "w2"], 0));
    }

    [Fact]
    public void StandbysFor_IsTheSameOnEveryWorker_AndCoversEachPartitionReplicasTimes()
    {
        var changelogs = new[] { ("log", 6), ("other", 3) };
        var perWorker = Workers.ToDictionary(w => w, w => StandbyPlacement.StandbysFor(w, Workers.Reverse(), RoundRobin, changelogs, 1)!);

        // w1 owns 0 and 3, so w2 stands by for them; w3 stands by for w2's; w1 for w3's.
        Assert.Equal([new("log", 0), new("log", 3), new("other", 0)], perWorker["w2"]);
        Assert.Equal([new("log", 2), new("log", 5), new("other", 2)], perWorker["w1"]);
        foreach (var (worker, standbys) in perWorker)
        {
            Assert.DoesNotContain(standbys, tp => RoundRobin(tp) == worker);
        }

        Assert.Equal(9, perWorker.Values.Sum(s => s.Count));
        Assert.Equal(18, Workers.Sum(w => StandbyPlacement.StandbysFor(w, Workers, RoundRobin, changelogs, 2)!.Count));
    }

    [Fact]
    public void StandbysFor_IsNull_WhileAnOwnerIsUnknown()
    {
        Assert.Null(StandbyPlacement.StandbysFor("w1", Workers, tp => tp.Partition == 4 ? null : RoundRobin(tp), [("log", 6)], 1));
        Assert.Null(StandbyPlacement.StandbysFor("w1", Workers, tp => "gone", [("log", 6)], 1));
        Assert.Empty(StandbyPlacement.StandbysFor("w1", ["w1"], RoundRobin, [("log", 6)], 1)!);
        Assert.Empty(StandbyPlacement.StandbysFor("w1", Workers, RoundRobin, [("log", 6)], 0)!);
    }
}
