using System.Text.RegularExpressions;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// The documentation stays true to the command line and to itself: every option of every verb is documented under
/// docs/, every link in README.md and docs/ resolves (file and heading), and nothing in the repository points outside it.
/// </summary>
public partial class DocumentationTests
{
    private static readonly string Root = TestDependencies.RepositoryRoot();

    private static IEnumerable<string> MarkdownFiles() =>
        Directory.GetFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories).Prepend(Path.Combine(Root, "README.md"));

    public static TheoryData<string> Verbs => ["train", "resume", "export", "report", "barrier", "sweep", "experiment", "claims", "bench", "list"];

    [Theory]
    [MemberData(nameof(Verbs))]
    public void Every_option_of_the_verb_is_documented(string verb)
    {
        var (code, help) = CliHarness.Run([verb, "--help"]);
        Assert.Equal(0, code);
        var options = OptionName().Matches(help).Select(m => m.Value).Distinct().ToList();
        Assert.NotEmpty(options);
        string docs = string.Join('\n', Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Select(File.ReadAllText));
        var missing = options.Where(o => o != "--help" && !Regex.IsMatch(docs, Regex.Escape(o) + @"(?![\w-])")).ToList();
        Assert.True(missing.Count == 0, $"`sgdwalk {verb}` options not mentioned anywhere in docs/: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_link_resolves_to_a_file_and_a_heading()
    {
        var broken = new List<string>();
        int links = 0;
        foreach (string file in MarkdownFiles())
        {
            foreach (Match link in MarkdownLink().Matches(WithoutCode(File.ReadAllText(file))))
            {
                links++;
                string target = link.Groups[1].Value;
                string where = $"{Path.GetRelativePath(Root, file)}: ({target})";
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    broken.Add(where + " points outside the repository");
                    continue;
                }
                int hash = target.IndexOf('#');
                string path = hash < 0 ? target : target[..hash];
                string resolved = path.Length == 0 ? file : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, path));
                if (!resolved.StartsWith(Root, StringComparison.Ordinal) || !(File.Exists(resolved) || Directory.Exists(resolved)))
                    broken.Add(where + " names no file of the repository");
                else if (hash >= 0 && !Anchors(resolved).Contains(target[(hash + 1)..]))
                    broken.Add(where + " names no heading of " + Path.GetRelativePath(Root, resolved));
            }
        }
        Assert.True(links > 20, $"only {links} links found: is the link pattern still right?");
        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    [Fact]
    public void Nothing_in_the_repository_points_outside_it()
    {
        string[] kinds = [".md", ".cs", ".sh", ".py", ".props", ".targets", ".csproj", ".json"];
        string[] skipped = ["bin", "obj", ".git", ".artifacts", "runs", "results", "Approved"];
        var hits = new List<string>();
        foreach (string file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(Root, file);
            if (!kinds.Contains(Path.GetExtension(file)) || relative.Split(Path.DirectorySeparatorChar).Any(skipped.Contains)) continue;
            if (relative == Path.Combine("tests", "SgdWalk.Reporting.Tests", "RunReportTests.cs")) continue; // asserts their absence
            if (relative == Path.Combine("tests", "SgdWalk.Cli.Tests", "DocumentationTests.cs")) continue;
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                if (lines[i].Contains("http://", StringComparison.Ordinal) || lines[i].Contains("https://", StringComparison.Ordinal))
                    hits.Add($"{relative}:{i + 1}");
        }
        Assert.True(hits.Count == 0, "links outside the repository: " + string.Join(", ", hits));
    }

    /// <summary>GitHub's heading anchors: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens.</summary>
    private static HashSet<string> Anchors(string markdownFile)
    {
        var anchors = new HashSet<string>();
        if (!markdownFile.EndsWith(".md", StringComparison.Ordinal)) return anchors;
        foreach (Match heading in Heading().Matches(WithoutCode(File.ReadAllText(markdownFile))))
        {
            string slug = Regex.Replace(heading.Groups[1].Value.Trim().ToLowerInvariant(), @"[^\w\- ]", "").Replace(' ', '-');
            anchors.Add(slug);
        }
        return anchors;
    }

    // Fenced blocks hold shell comments (# …) and code that are neither headings nor links.
    private static string WithoutCode(string markdown) => FencedBlock().Replace(markdown, "");

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z0-9-]*")]
    private static partial Regex OptionName();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^#{1,6} (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
