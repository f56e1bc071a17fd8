using System.Text.RegularExpressions;
using SgdWalk.TestSupport;

namespace SgdWalk.Tests;

/// <summary>
/// The library's rooms (the folders of src/SgdWalk, one namespace each) depend on each other without cycles, so each
/// can be read and changed knowing only the rooms below it. A dependency is a `using SgdWalk.Room`, a qualified
/// `SgdWalk.Room.` or `Room.Type` in code (comments and strings do not count).
/// </summary>
public partial class LayeringTests
{
    private static readonly string Library = Path.Combine(TestDependencies.RepositoryRoot(), "src", "SgdWalk");

    [Fact]
    public void The_library_folders_have_no_dependency_cycle()
    {
        var graph = Dependencies();
        Assert.Contains("Platform", graph.Keys);
        Assert.Contains("Formats", graph.Keys);
        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).ToList();
        Assert.True(cycles.Count == 0, "folder cycles: " + string.Join("; ", cycles.Select(c =>
            string.Join(" ↔ ", c) + " (" + string.Join(", ", c.SelectMany(a => c.Where(b => graph[a].ContainsKey(b)).Select(b => $"{a}→{b}: {graph[a][b]}"))) + ")")));
    }

    [Fact]
    public void Platform_and_Formats_sit_below_everything_else()
    {
        var graph = Dependencies();
        Assert.Empty(graph["Platform"].Keys.Except(["Formats"]));
        Assert.Empty(graph["Formats"].Keys);
    }

    /// <summary>The detector itself: a planted cycle between two folders is found.</summary>
    [Fact]
    public void A_cycle_is_detected()
    {
        var graph = new Dictionary<string, Dictionary<string, string>>
        {
            ["A"] = new() { ["B"] = "a.cs" }, ["B"] = new() { ["C"] = "b.cs" }, ["C"] = new() { ["A"] = "c.cs" }, ["D"] = new() { ["A"] = "d.cs" },
        };
        var cycle = Assert.Single(StronglyConnected(graph), c => c.Count > 1);
        Assert.Equal(["A", "B", "C"], cycle.Order());
        Assert.Equal(["Training"], Referenced("namespace SgdWalk.Models;\n// Training.Trainer in a comment\nvar x = Training.Nnpack.Disable();", ["Training", "Data"]));
        Assert.Empty(Referenced("namespace SgdWalk.Models;\nvar s = \"Training.Trainer\";", ["Training"]));
    }

    /// <summary>folder → (folder it uses → one file that uses it).</summary>
    private static Dictionary<string, Dictionary<string, string>> Dependencies()
    {
        var folders = Directory.GetDirectories(Library).Select(Path.GetFileName).OfType<string>().Where(f => f is not ("bin" or "obj")).ToList();
        var graph = folders.ToDictionary(f => f, _ => new Dictionary<string, string>());
        foreach (string folder in folders)
            foreach (string file in Directory.GetFiles(Path.Combine(Library, folder), "*.cs", SearchOption.AllDirectories))
                foreach (string used in Referenced(File.ReadAllText(file), folders))
                    if (used != folder) graph[folder].TryAdd(used, Path.GetFileName(file));
        return graph;
    }

    private static IEnumerable<string> Referenced(string source, IReadOnlyList<string> folders)
    {
        string code = Comment().Replace(StringLiteral().Replace(source, "\"\""), "");
        return folders.Where(f => Regex.IsMatch(code, $@"(using (static )?SgdWalk\.{f}\b|SgdWalk\.{f}\.|(?<![\w.]){f}\.[A-Z])"));
    }

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var components = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            foreach (string w in graph.TryGetValue(v, out var edges) ? edges.Keys.ToList() : [])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (stack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); component.Add(x); } while (x != v);
            components.Add(component);
        }
        foreach (string v in graph.Keys) if (!index.ContainsKey(v)) Visit(v);
        return components;
    }

    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex StringLiteral();
}
