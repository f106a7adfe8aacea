using System.Text.RegularExpressions;

namespace Faust.Web.Tests.Docs;

public sealed partial class DocsSnippetTests
{
    [Fact]
    public void EveryCSharpBlockOfTheReadme_StandsInCompiledCode()
    {
        var root = RepositoryRoot();
        var snippets = File.ReadAllLines(Path.Combine(root, "tests", "Faust.Web.Tests", "Docs", "ReadmeSnippets.cs"))
            .Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        var usings = snippets.Where(l => l.StartsWith("using ", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var blocks = CSharpBlock().Matches(readme);
        Assert.NotEmpty(blocks);
        foreach (Match block in blocks)
        {
            var lines = block.Groups[1].Value.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            var missingUsings = lines.Where(l => l.StartsWith("using ", StringComparison.Ordinal) && !usings.Contains(l)).ToArray();
            var code = lines.Where(l => !l.StartsWith("using ", StringComparison.Ordinal)).ToArray();
            var line = readme[..block.Index].Count(c => c == '\n') + 1;
            Assert.True(missingUsings.Length == 0 && ContainsRun(snippets, code),
                $"README.md line {line}: the C# block starting '{lines.FirstOrDefault()}' is not in tests/Faust.Web.Tests/Docs/ReadmeSnippets.cs; copy it there so it compiles.");
        }
    }

    [Fact]
    public void ContainsRun_NeedsTheLinesInOrderAndTogether()
    {
        string[] file = ["a", "b", "c", "d"];
        Assert.True(ContainsRun(file, ["b", "c"]));
        Assert.False(ContainsRun(file, ["b", "d"]));
        Assert.False(ContainsRun(file, ["c", "b"]));
    }

    private static bool ContainsRun(string[] haystack, string[] needle)
    {
        for (var start = 0; start + needle.Length <= haystack.Length; start++)
        {
            if (haystack.AsSpan(start, needle.Length).SequenceEqual(needle))
            {
                return true;
            }
        }

        return false;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Faust.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Faust.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
