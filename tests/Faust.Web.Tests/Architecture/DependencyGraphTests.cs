namespace Faust.Web.Tests.Architecture;

public sealed class DependencyGraphTests
{
    [Fact]
    public void Cycles_FindsAThreeNamespaceCycle_AndNamesItsReferences()
    {
        var graph = new DependencyGraph();
        graph.Add("A", "B", "A.X -> B.Y");
        graph.Add("B", "C", "B.Y -> C.Z");
        graph.Add("C", "A", "C.Z -> A.X");
        graph.Add("C", "D", "C.Z -> D.W");

        var cycle = Assert.Single(graph.Cycles());
        Assert.Equal(["A", "B", "C"], cycle);
        var described = graph.Describe(cycle);
        Assert.Contains("A -> B: A.X -> B.Y", described);
        Assert.Contains("C -> A: C.Z -> A.X", described);
        Assert.DoesNotContain("D.W", described);
    }

    [Fact]
    public void Cycles_IsEmpty_ForALayeredGraph_AndIgnoresSelfReferences()
    {
        var graph = new DependencyGraph();
        graph.Add("Top", "Middle", "t -> m");
        graph.Add("Middle", "Bottom", "m -> b");
        graph.Add("Top", "Bottom", "t -> b");
        graph.Add("Bottom", "Bottom", "b -> b");

        Assert.Empty(graph.Cycles());
        Assert.Equal(["Bottom", "Middle"], graph.Targets("Top"));
    }

    [Fact]
    public void AssemblyReader_SeesAnUpwardReference_InAMethodBody()
    {
        // Faust.Processing's worker implements the host facade: Processing uses Hosting, and the reader must see it.
        var graph = AssemblyDependencies.Read(typeof(FaustApp).Assembly.Location, "Faust.Core");
        Assert.Contains("Faust.Hosting", graph.Targets("Faust.Processing"));
        Assert.Contains(graph.Examples("Faust.Processing", "Faust.Hosting"), e => e.Contains("Worker", StringComparison.Ordinal));
        Assert.DoesNotContain("Faust.Processing", graph.Targets("Faust.Hosting"));
    }
}
