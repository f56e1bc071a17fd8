using System.Diagnostics;
using System.Text.Json.Nodes;
using SgdWalk.Records.Claims;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>One uninterrupted `sgdwalk claims` on a tiny synthetic design, shared by the tests of this class.</summary>
public sealed class ClaimsReference : IDisposable
{
    /// <summary>21 tiny runs: 200 synthetic images, base batch 50 (so 12, 50, 200), profiles every other step, 1 thread.</summary>
    public static readonly string[] Arguments =
    [
        "claims", "--dataset", "synthetic", "--hidden", "8", "--train-size", "200", "--batch-size", "50", "--probe-size", "50",
        "--record", "every:2", "--threads", "1",
    ];

    public ClaimsReference()
    {
        Root = Directory.CreateTempSubdirectory("sgdwalk-claims-").FullName;
        Folder = Path.Combine(Root, "reference");
        var clock = Stopwatch.StartNew();
        (Code, Output) = CliHarness.Run([.. Arguments, "--out", Folder]);
        Elapsed = clock.Elapsed;
    }

    public string Root { get; }

    public string Folder { get; }

    public int Code { get; }

    public string Output { get; }

    public TimeSpan Elapsed { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public class ClaimsCommandTests(ClaimsReference reference) : IClassFixture<ClaimsReference>
{
    [Fact]
    public void The_whole_command_gives_every_claim_a_verdict_within_a_minute_and_writes_its_files()
    {
        Assert.True(reference.Code == 0, reference.Output[^Math.Min(4000, reference.Output.Length)..]);
        Assert.True(reference.Elapsed < TimeSpan.FromMinutes(1), $"took {reference.Elapsed}");
        var claims = JsonNode.Parse(File.ReadAllText(Path.Combine(reference.Folder, ClaimsOutcome.FileName)))!["claims"]!.AsArray();
        Assert.Equal([1, 2, 3, 4, 5, 6], claims.Select(c => (int)c!["claim"]!));
        Assert.All(claims, c => Assert.Contains((string)c!["verdict"]!, new[] { "supported", "contradicted", "inconclusive" }));
        Assert.All(claims.SelectMany(c => c!["tests"]!.AsArray()), t => Assert.False(string.IsNullOrEmpty((string)t!["reason"]!)));
        foreach (string file in new[] { "claims.md", "claims-design.json", "report.html", "summary.csv", "sweep.json" })
            Assert.True(File.Exists(Path.Combine(reference.Folder, file)), file);
        for (int claim = 1; claim <= 6; claim++) Assert.True(File.Exists(Path.Combine(reference.Folder, "figures", $"claim-{claim}.png")));
        Assert.Equal(21, Directory.EnumerateDirectories(reference.Folder).Count(d => File.Exists(Path.Combine(d, "run.json"))));
        // The printed table: one line per claim with its verdict, then the one-line summary of all six.
        Assert.Matches(@"claims: 1 \w+, 2 \w+, 3 \w+, 4 \w+, 5 \w+, 6 \w+", reference.Output);
        Assert.Contains("estimated time here:", reference.Output);
    }

    [Fact]
    public void The_report_leads_with_the_claims_and_renders_in_headless_chromium()
    {
        TestDependencies.Require("chromium");
        TestDependencies.Require("python3");
        string html = File.ReadAllText(Path.Combine(reference.Folder, "report.html"));
        int claims = html.IndexOf("<h2 id=\"claims\">Claims</h2>", StringComparison.Ordinal);
        Assert.True(claims > 0 && claims < html.IndexOf("<h2>Figures</h2>", StringComparison.Ordinal));
        Assert.True(html.IndexOf("<h2>Summary</h2>", StringComparison.Ordinal) > html.IndexOf("<h2>Figures</h2>", StringComparison.Ordinal));

        string script = Path.Combine(AppContext.BaseDirectory, "browser-check.sh");
        var start = new ProcessStartInfo("bash", [script, Path.Combine(reference.Folder, "report.html"), Path.Combine(reference.Root, "shot.png")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        string log = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"browser-check.sh exited {process.ExitCode}:\n{log}");
        int images = Directory.EnumerateFiles(Path.Combine(reference.Folder, "figures"), "*.png").Count();
        Assert.Contains($"OK: {images}/{images} images loaded", log);
    }

    [Fact]
    public void Report_recomputes_the_same_verdicts_from_the_files_alone()
    {
        string folder = Path.Combine(reference.Root, "copy");
        CopyFolder(reference.Folder, folder);
        File.Delete(Path.Combine(folder, ClaimsOutcome.FileName));
        var (code, output) = CliHarness.Run("report", folder);
        Assert.True(code == 0, output);
        Assert.Equal(File.ReadAllText(Path.Combine(reference.Folder, ClaimsOutcome.FileName)), File.ReadAllText(Path.Combine(folder, ClaimsOutcome.FileName)));
    }

    /// <summary>Half the plan as shard 1/2 (another machine's share, or a run stopped half way), then the plain command resumes the rest.</summary>
    [Fact]
    public void A_claims_run_finished_in_two_parts_equals_the_uninterrupted_one()
    {
        string folder = Path.Combine(reference.Root, "resumed");
        var (first, firstOutput) = CliHarness.Run([.. ClaimsReference.Arguments, "--out", folder, "--shard", "1/2"]);
        Assert.True(first == 0, firstOutput);
        Assert.False(File.Exists(Path.Combine(folder, ClaimsOutcome.FileName))); // a shard leaves the verdicts to the whole plan
        var (second, secondOutput) = CliHarness.Run([.. ClaimsReference.Arguments, "--out", folder]);
        Assert.True(second == 0, secondOutput);
        Assert.Contains("11 already finished", secondOutput);
        Assert.Equal(File.ReadAllText(Path.Combine(reference.Folder, ClaimsOutcome.FileName)), File.ReadAllText(Path.Combine(folder, ClaimsOutcome.FileName)));
    }

    /// <summary>`--jobs 2`: the runs in two child processes at a time (one thread each, as the reference) give the same verdicts, byte for byte.</summary>
    [Fact]
    public void A_claims_run_with_two_jobs_equals_the_sequential_one()
    {
        string folder = Path.Combine(reference.Root, "jobs");
        var (code, output) = CliHarness.Run([.. ClaimsReference.Arguments, "--out", folder, "--jobs", "2"]);
        Assert.True(code == 0, output);
        Assert.Contains("2 at a time", output);
        Assert.Equal(File.ReadAllText(Path.Combine(reference.Folder, ClaimsOutcome.FileName)), File.ReadAllText(Path.Combine(folder, ClaimsOutcome.FileName)));
    }

    [Theory]
    [InlineData("--epochs", "1", "--epochs must be at least 2")]
    [InlineData("--seeds", "0", "--seeds must be at least 1")]
    [InlineData("--scale", "huge", "--scale must be cpu or paper")]
    [InlineData("--probe-size", "auto", "--probe-size auto is not available for claims")]
    public void Bad_input_is_one_line_exit_2_and_nothing_written(string option, string value, string message)
    {
        string folder = Path.Combine(reference.Root, "bad-" + option.TrimStart('-'));
        var (code, output) = CliHarness.Run("claims", "--dataset", "synthetic", option, value, "--out", folder);
        Assert.Equal(2, code);
        Assert.Contains(message, output);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Paper_scale_says_what_it_needs_and_how_long_it_would_take_and_starts_nothing()
    {
        string folder = Path.Combine(reference.Root, "paper");
        var (code, output) = CliHarness.Run("claims", "--scale", "paper", "--data-dir", Path.Combine(reference.Root, "no-cifar"), "--out", folder);
        Assert.Equal(2, code);
        Assert.Contains("estimated time here:", output);
        Assert.Contains("days", output);
        Assert.Contains("--emit slurm", output);
        Assert.Contains("needs CIFAR-10", output);
        Assert.False(Directory.Exists(folder));
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
