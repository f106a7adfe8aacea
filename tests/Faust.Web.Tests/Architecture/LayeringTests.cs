using Xunit.Abstractions;

namespace Faust.Web.Tests.Architecture;

// The engine's folders form a one-way graph (docs/architecture.md): no cycle between them, foundations that use
// nothing above them, and a host that reads the worker through its facade only.
public sealed class LayeringTests(ITestOutputHelper output)
{
    private static readonly string[] Foundations = ["Faust.Records", "Faust.Routing", "Faust.Serialization", "Faust.Stores", "Faust.Transport"];

    private static readonly Lazy<DependencyGraph> Core = new(() =>
        AssemblyDependencies.Read(typeof(FaustApp).Assembly.Location, "Faust.Core"));

    private static readonly Lazy<DependencyGraph> Web = new(() =>
        AssemblyDependencies.Read(typeof(Faust.Web.Hosting.FaustBuilder).Assembly.Location, "Faust."));

    [Fact]
    public void CoreFolders_FormNoCycle()
    {
        output.WriteLine(Core.Value.ToString());
        var cycles = Core.Value.Cycles();
        Assert.True(cycles.Count == 0,
            "Faust.Core's folders must depend on each other one way only, but these form cycles:" + Environment.NewLine
            + string.Join(Environment.NewLine, cycles.Select(Core.Value.Describe)));
    }

    [Fact]
    public void Foundations_DependOnNothingAbove()
    {
        var offences = new List<string>();
        foreach (var from in Core.Value.Nodes.Where(IsFoundation))
        {
            foreach (var to in Core.Value.Targets(from).Where(to => !IsFoundation(to)))
            {
                offences.AddRange(Core.Value.Examples(from, to).Select(e => $"{from} -> {to}: {e}"));
            }
        }

        Assert.True(offences.Count == 0,
            "Records, Routing, Serialization, Stores and Transport may use only each other, but:" + Environment.NewLine + string.Join(Environment.NewLine, offences));
    }

    [Fact]
    public void Web_ReachesTheWorkerThroughItsFacade()
    {
        var offences = Web.Value.Nodes
            .Where(n => n.StartsWith("Faust.Web", StringComparison.Ordinal))
            .SelectMany(from => Web.Value.Examples(from, "Faust.Processing").Select(e => $"{from}: {e}"))
            .ToList();
        Assert.True(offences.Count == 0,
            "Faust.Web must read the worker through Faust.Hosting.IWorkerView, not Faust.Processing:" + Environment.NewLine + string.Join(Environment.NewLine, offences));
    }

    private static bool IsFoundation(string ns) =>
        Foundations.Any(f => ns == f || ns.StartsWith(f + ".", StringComparison.Ordinal));
}
