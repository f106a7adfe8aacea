using System.Text.RegularExpressions;

namespace Faust.Web.Tests.Docs;

// Every ```csharp block of README.md and docs/*.md is code this project compiles: its lines appear, in order and
// with nothing between them, in one of the files of Docs/Snippets. Lines are compared trimmed, blank lines ignored,
// so a snippet may be indented inside a method of its file. The using directives a block opens with may stand
// anywhere in the file instead (a file holds its usings at the top and the rest inside a method). A block that
// cannot compile by nature carries <!-- snippet: not compiled (reason) --> on the line right before its fence.
public sealed partial class DocsSnippetTests
{
    private const string Fence = "```csharp";

    [Fact]
    public void EveryCSharpBlock_OfTheDocs_IsInASnippetFile()
    {
        var snippets = SnippetFiles();
        var blocks = DocBlocks();
        Assert.NotEmpty(snippets);
        Assert.Contains(blocks, b => b.Doc == "README.md");

        var failures = new List<string>();
        foreach (var block in blocks)
        {
            if (block.Problem is { } problem)
            {
                failures.Add($"{block.Doc}:{block.Line} ({block.FirstLine}): {problem}");
            }
            else if (block.NotCompiledBecause is null && !snippets.Any(file => file.Holds(block)))
            {
                failures.Add($"{block.Doc}:{block.Line} ({block.FirstLine}): no file of {SnippetsFolder} holds this block's lines "
                    + "as one run. Copy the block into a snippet that compiles, or mark it <!-- snippet: not compiled (reason) --> "
                    + "if it cannot compile by nature.");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void EveryRegion_OfTheSnippetFiles_IsShownInADoc()
    {
        var blocks = DocBlocks().Where(b => b.Problem is null && b.NotCompiledBecause is null && b.Body.Count > 0).ToList();
        var regions = SnippetFiles().SelectMany(file => file.Regions).ToList();
        Assert.NotEmpty(regions);

        var orphans = regions.Where(region => !blocks.Any(block => IndexOf(region.Lines, block.Body) >= 0)).ToList();
        Assert.True(orphans.Count == 0, string.Join(Environment.NewLine,
            orphans.Select(r => $"{r.File}: region '{r.Name}' holds no block of README.md or docs/*.md; remove it or show it in a doc.")));
    }

    [Fact]
    public void TheChecker_RejectsABlockThatDiffersFromItsSnippet()
    {
        var file = SnippetFile.Parse("Example.cs", """
            using Faust.Web.Hosting;

            internal static class Example
            {
                internal static void Run(FaustBuilder faust)
                {
                    #region example
                    var clicks = faust.Topic<string, int>("clicks");

                    var counts = faust.Table<string, long>("click_counts", () => 0L);
                    #endregion
                }
            }
            """);
        var docs = ParseBlocks("example.md", """
            Intro.

            ```csharp
            using Faust.Web.Hosting;
              var clicks = faust.Topic<string, int>("clicks");
            var counts = faust.Table<string, long>("click_counts", () => 0L);
            ```

            ```csharp
            var counts = faust.Table<string, long>("click_counts", () => 0L);
            var clicks = faust.Topic<string, int>("clicks");
            ```

            <!-- snippet: not compiled (a signature only) -->
            ```csharp
            Table<TKey, TValue> Table<TKey, TValue>(string name);
            ```

            <!-- snippet: not compiled () -->
            ```csharp
            var x = 1;
            ```
            """);

        Assert.Equal(4, docs.Count);
        Assert.True(file.Holds(docs[0]));
        Assert.Equal(3, docs[0].Line);
        Assert.False(file.Holds(docs[1]));
        Assert.Equal("a signature only", docs[2].NotCompiledBecause);
        Assert.NotNull(docs[3].Problem);
        Assert.Single(file.Regions);
    }

    private static string SnippetsFolder => Path.Combine("tests", "Faust.Web.Tests", "Docs", "Snippets");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Faust.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Faust.sln.");
    }

    private static List<SnippetFile> SnippetFiles()
    {
        var folder = Path.Combine(RepositoryRoot(), SnippetsFolder);
        return [.. Directory.GetFiles(folder, "*.cs").Order(StringComparer.Ordinal)
            .Select(path => SnippetFile.Parse(Path.GetFileName(path), File.ReadAllText(path)))];
    }

    private static List<DocBlock> DocBlocks()
    {
        var root = RepositoryRoot();
        var docs = new List<string> { Path.Combine(root, "README.md") };
        docs.AddRange(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal));
        return [.. docs.SelectMany(path => ParseBlocks(Path.GetRelativePath(root, path).Replace('\\', '/'), File.ReadAllText(path)))];
    }

    private static List<DocBlock> ParseBlocks(string doc, string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<DocBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var marker = NotCompiledMarker().Match(lines[i].Trim());
            if (marker.Success && (i + 1 >= lines.Length || lines[i + 1].Trim() != Fence))
            {
                blocks.Add(new DocBlock(doc, i + 1, lines[i].Trim(), [], [], null, "the not-compiled marker must stand right before a ```csharp fence"));
                continue;
            }

            if (lines[i].Trim() != Fence)
            {
                continue;
            }

            var start = i;
            var body = new List<string>();
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
            {
                if (lines[i].Trim() is { Length: > 0 } line)
                {
                    body.Add(line);
                }
            }

            var first = body.FirstOrDefault() ?? "(empty block)";
            string? problem = i >= lines.Length ? "the block has no closing fence" : body.Count == 0 ? "the block is empty" : null;
            string? because = null;
            if (start > 0 && NotCompiledMarker().Match(lines[start - 1].Trim()) is { Success: true } m)
            {
                because = m.Groups["reason"].Value.Trim();
                problem ??= because.Length == 0 ? "say why the block is not compiled: <!-- snippet: not compiled (reason) -->" : null;
            }

            var usings = body.TakeWhile(l => UsingDirective().IsMatch(l)).ToList();
            blocks.Add(new DocBlock(doc, start + 1, first, usings, body[usings.Count..], because, problem));
        }

        return blocks;
    }

    // Index of the first run of needle in haystack, or -1.
    private static int IndexOf(IReadOnlyList<string> haystack, IReadOnlyList<string> needle)
    {
        for (var start = 0; start + needle.Count <= haystack.Count; start++)
        {
            var i = 0;
            while (i < needle.Count && string.Equals(haystack[start + i], needle[i], StringComparison.Ordinal))
            {
                i++;
            }

            if (i == needle.Count)
            {
                return start;
            }
        }

        return -1;
    }

    [GeneratedRegex(@"^<!-- snippet: not compiled \((?<reason>.*)\) -->$")]
    private static partial Regex NotCompiledMarker();

    [GeneratedRegex(@"^using (static )?([A-Za-z_]\w* = )?[A-Za-z_][\w.]*;$")]
    private static partial Regex UsingDirective();

    // A fenced csharp block: Line is the 1-based line of its opening fence.
    private sealed record DocBlock(string Doc, int Line, string FirstLine, IReadOnlyList<string> Usings, IReadOnlyList<string> Body,
        string? NotCompiledBecause, string? Problem);

    private sealed record Region(string File, string Name, IReadOnlyList<string> Lines);

    private sealed record SnippetFile(string Name, IReadOnlyList<string> Lines, IReadOnlyList<Region> Regions)
    {
        public static SnippetFile Parse(string name, string text)
        {
            var lines = text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            var regions = new List<Region>();
            for (var i = 0; i < lines.Count; i++)
            {
                if (lines[i].StartsWith("#region", StringComparison.Ordinal))
                {
                    var end = lines.FindIndex(i, l => l.StartsWith("#endregion", StringComparison.Ordinal));
                    Assert.True(end > i, $"{name}: '{lines[i]}' has no #endregion.");
                    regions.Add(new Region(name, lines[i]["#region".Length..].Trim(), lines[(i + 1)..end]));
                    i = end;
                }
            }

            return new SnippetFile(name, lines, regions);
        }

        public bool Holds(DocBlock block) =>
            block.Usings.All(Lines.Contains) && (block.Body.Count == 0 || IndexOf(Lines, block.Body) >= 0);
    }
}
