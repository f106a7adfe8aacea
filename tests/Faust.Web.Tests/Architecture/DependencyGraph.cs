namespace Faust.Web.Tests.Architecture;

/// <summary>Which namespaces use which, with a few example type references per edge, and the cycles among them.</summary>
public sealed class DependencyGraph
{
    private const int ExamplesPerEdge = 3;
    private readonly SortedSet<string> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<(string From, string To), List<string>> _edges = [];

    public IReadOnlyCollection<string> Nodes => _nodes;

    public void AddNode(string node) => _nodes.Add(node);

    /// <summary>Records that a type of <paramref name="from"/> uses a type of <paramref name="to"/>; a namespace using
    /// itself is no edge.</summary>
    public void Add(string from, string to, string example)
    {
        _nodes.Add(from);
        _nodes.Add(to);
        if (from == to)
        {
            return;
        }

        if (!_edges.TryGetValue((from, to), out var examples))
        {
            _edges[(from, to)] = examples = [];
        }

        if (examples.Count < ExamplesPerEdge && !examples.Contains(example))
        {
            examples.Add(example);
        }
    }

    public IEnumerable<string> Targets(string from) => _nodes.Where(to => _edges.ContainsKey((from, to)));

    public IReadOnlyList<string> Examples(string from, string to) => _edges.TryGetValue((from, to), out var examples) ? examples : [];

    /// <summary>The strongly connected components with more than one namespace (Tarjan), each sorted.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = 0;
        var indices = new Dictionary<string, int>();
        var lowLinks = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var cycles = new List<IReadOnlyList<string>>();

        void Visit(string node)
        {
            indices[node] = lowLinks[node] = index++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in Targets(node))
            {
                if (!indices.ContainsKey(next))
                {
                    Visit(next);
                    lowLinks[node] = Math.Min(lowLinks[node], lowLinks[next]);
                }
                else if (onStack.Contains(next))
                {
                    lowLinks[node] = Math.Min(lowLinks[node], indices[next]);
                }
            }

            if (lowLinks[node] == indices[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    cycles.Add(component);
                }
            }
        }

        foreach (var node in _nodes)
        {
            if (!indices.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return cycles;
    }

    /// <summary>A cycle's edges with their example references, for a failure message.</summary>
    public string Describe(IReadOnlyList<string> cycle)
    {
        var lines = new List<string> { "Cycle: " + string.Join(", ", cycle) };
        foreach (var from in cycle)
        {
            foreach (var to in cycle)
            {
                foreach (var example in Examples(from, to))
                {
                    lines.Add($"  {from} -> {to}: {example}");
                }
            }
        }

        return string.Join(Environment.NewLine, lines);
    }

    public override string ToString() =>
        string.Join(Environment.NewLine, _nodes.Select(n => $"{n} -> {string.Join(", ", Targets(n))}"));
}
