using System.Diagnostics;
using System.Text.Json.Nodes;
using SgdWalk.Cli.Commands;
using SgdWalk.Records;
using SgdWalk.Records.Claims;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>One uninterrupted `sgdwalk claims` on a tiny synthetic design, shared by the tests of this class.</summary>
public sealed class ClaimsReference : IDisposable
{
    /// <summary>220 tiny runs (the minimum 10 seeds × 18 settings, the negative control, the floor chain, three 6-epoch horizon runs and claim 4c's two target runs included, and the valley control's 4), and 4b's matched arm after its pilot (10 more unless its rate is one of claim 2's): 200 synthetic images, base batch 50 (so 12, 50, 200), profiles every other step, 1 thread.</summary>
    public static readonly string[] Arguments =
    [
        "claims", "--dataset", "synthetic", "--hidden", "8", "--train-size", "200", "--batch-size", "50", "--probe-size", "50",
        "--record", "every:2", "--threads", "1", "--horizon", "6", "--seeds", "10",
    ];

    public ClaimsReference()
    {
        Root = Directory.CreateTempSubdirectory("sgdwalk-claims-").FullName;
        Folder = Path.Combine(Root, "reference");
        (Code, Output) = CliHarness.Run([.. Arguments, "--out", Folder]);
    }

    public string Root { get; }

    public string Folder { get; }

    public int Code { get; }

    public string Output { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public class ClaimsCommandTests(ClaimsReference reference) : IClassFixture<ClaimsReference>
{
    [Fact]
    public void The_whole_command_gives_every_claim_a_verdict_and_writes_its_files()
    {
        Assert.True(reference.Code == 0, reference.Output[^Math.Min(4000, reference.Output.Length)..]);
        var claims = JsonNode.Parse(File.ReadAllText(Path.Combine(reference.Folder, ClaimsOutcome.FileName)))!["claims"]!.AsArray();
        Assert.Equal([1, 2, 3, 4, 5, 6], claims.Select(c => (int)c!["claim"]!));
        Assert.All(claims, c => Assert.Contains((string)c!["verdict"]!, new[] { "supported", "contradicted", "inconclusive", "underpowered" }));
        // Every test lists one value per seed it could measure (the run-level tests all 10 here; the step-level ones have too
        // few recorded steps after the first epoch in this tiny design and say so), and no planned run was left out.
        var tests = claims.SelectMany(c => c!["tests"]!.AsArray()).ToList();
        Assert.All(tests, t => Assert.Equal((int)t!["seeds"]!, t!["seed_values"]!.AsArray().Count));
        Assert.Equal(tests.Count, tests.Count(t => (int)t!["seeds"]! == 10) + tests.Count(t => (int)t!["seeds"]! < 10 && ((string)t!["verdict"]!) == "underpowered"));
        Assert.Contains(tests, t => (int)t!["seeds"]! == 10);
        Assert.Empty(JsonNode.Parse(File.ReadAllText(Path.Combine(reference.Folder, ClaimsOutcome.FileName)))!["left_out"]!.AsArray());
        Assert.All(claims.SelectMany(c => c!["tests"]!.AsArray()), t => Assert.False(string.IsNullOrEmpty((string)t!["reason"]!)));
        foreach (string file in new[] { "claims.md", "claims-design.json", "report.html", "summary.csv", "sweep.json" })
            Assert.True(File.Exists(Path.Combine(reference.Folder, file)), file);
        for (int claim = 1; claim <= 6; claim++) Assert.True(File.Exists(Path.Combine(reference.Folder, "figures", $"claim-{claim}.png")));
        // 4b's matched arm: a floor-sgd pilot before any run fixed SGD's rate at η·ᾱ (two significant digits); ten more runs
        // at that rate unless the plan already runs it at the base batch size.
        var design = ClaimsDesign.Read(Path.Combine(reference.Folder, ClaimsDesign.FileName));
        Assert.True(design.MatchedAlpha > 0, $"{design.MatchedAlpha}");
        Assert.Equal(SgdWalk.Experiments.FloorSgdPilot.Round(0.1 * design.MatchedAlpha), design.MatchedLearningRate);
        Assert.Contains("claims: floor-sgd's mean α", reference.Output);
        // 4c's L*: the pilot's training loss outside the probe view at its end, rounded up to a multiple of 0.05, printed.
        Assert.True(design.TargetLoss is > 0 and < 3, $"{design.TargetLoss}");
        Assert.Equal(design.TargetLoss!.Value, Math.Round(design.TargetLoss.Value / 0.05) * 0.05, 9);
        Assert.Contains($"4c's target runs stop at L* = {design.TargetLoss.Value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}", reference.Output);
        string rate = design.MatchedLearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(10, Directory.EnumerateDirectories(reference.Folder, $"sgd-lr{rate}-b50-s*").Count());
        int matchedRuns = design.LearningRates.Contains(design.MatchedLearningRate) ? 0 : 10;
        Assert.Equal(220 + matchedRuns, Directory.EnumerateDirectories(reference.Folder).Count(d => File.Exists(Path.Combine(d, "run.json"))));
        var arm = JsonNode.Parse(File.ReadAllText(Path.Combine(reference.Folder, ClaimsOutcome.FileName)))!["secondary"]!.AsArray()
            .Single(t => (string)t!["id"]! == "4b-matched")!;
        Assert.Equal(10, (int)arm["seeds"]!);
        Assert.Contains("each seed's floor-sgd mean α", (string)arm["reason"]!);
        // The printed table: one line per claim with its verdict, then the one-line summary of all six.
        Assert.Matches(@"claims: 1 [^,]+, 2 [^,]+, 3 [^,]+, 4 [^,]+, 5 [^,]+, 6 [^,]+", reference.Output);
        // The controls ran, and their table is printed and written.
        Assert.Contains("controls: negative must not come out supported, positive must", reference.Output);
        Assert.Contains("## Controls", File.ReadAllText(Path.Combine(reference.Folder, "claims.md")));
        var controls = JsonNode.Parse(File.ReadAllText(Path.Combine(reference.Folder, ClaimsOutcome.FileName)))!["controls"]!.AsArray();
        Assert.Equal(7, controls.Count);
        // The corrugated-valley positive control is the same whatever the network (its own two-parameter runs): it finds the
        // barriers and floor-sgd's stall on the corrugated valley, neither on the flat one.
        var valley = controls.Where(k => ((string)k!["name"]!).Contains("valley", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, valley.Count);
        Assert.All(valley, k => Assert.Equal("passed", (string)k!["outcome"]!));
        Assert.Contains("estimated time here:", reference.Output);
        Assert.Contains("settings), 2 epochs each; horizon runs 6, target runs up to 8, valley-control runs 3", reference.Output);
        // Before any run, the tests that cannot reach a bound with this design say so: 8 steps leave 4 one-step floor
        // segments per floor-chain run, no window of 10.
        Assert.Contains("claims: test 4a is underpowered with this design ('supported' (CI above 0.05) needs ≥ 2 chained floor windows, has 0; " +
            "'contradicted' (CI below 0.01) needs ≥ 368 chained floor windows, has 0)", reference.Output);
        Assert.Contains("| claim | verdict | test | estimate | 95 % CI | p | per-seed values | why |", File.ReadAllText(Path.Combine(reference.Folder, "claims.md")));
        // The floor chain's one-step segments, as the probes wrote them to profiles.csv, reach claim 4a's secondaries:
        // steps 3-7 recorded, so 4 segments per seed ending in the second epoch.
        var secondary = JsonNode.Parse(File.ReadAllText(Path.Combine(reference.Folder, ClaimsOutcome.FileName)))!["secondary"]!.AsArray()
            .Single(t => (string)t!["id"]! == "4a-lag1")!;
        Assert.Equal((10, 40), ((int)secondary["seeds"]!, (int)secondary["units"]!));
        // The horizon (6 epochs, phases 2, 3 and 6): claims 1, 2, 5 and 6a per phase, printed and written, each phased claim saying how it fared.
        Assert.Contains("horizon: for most of training", reference.Output);
        var horizon = JsonNode.Parse(File.ReadAllText(Path.Combine(reference.Folder, ClaimsOutcome.FileName)))!["horizon"]!.AsArray();
        Assert.Equal([1, 2, 5, 6], horizon.Select(c => (int)c!["claim"]!));
        Assert.All(horizon, c => Assert.Equal(3, c!["tests"]!.AsArray().Count));
        Assert.All(claims.Where(c => (int)c!["claim"]! != 3 && (int)c!["claim"]! != 4),
            c => Assert.StartsWith("horizon (6 epochs, phases epochs 2, 3, 6): supported in ", (string)c!["horizon"]!));
        Assert.Contains("## Horizon: for most of training", File.ReadAllText(Path.Combine(reference.Folder, "claims.md")));
    }

    /// <summary>Finding 21.4: a run folder whose options differ from the plan's cell is left out of the verdicts and named.</summary>
    [Fact]
    public void A_run_with_other_options_is_left_out_and_named()
    {
        string folder = Path.Combine(reference.Root, "foreign");
        CopyFolder(reference.Folder, folder);
        string manifest = Path.Combine(folder, "sgd-lr0.1-b50-s1111", "run.json");
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        json["options"]!["hidden"] = new JsonArray(16);
        File.WriteAllText(manifest, json.ToJsonString());
        var (code, output) = CliHarness.Run("report", folder);
        Assert.True(code == 0, output);
        string expected = "run sgd-lr0.1-b50-s1111 left out: options differ from the plan (hidden [16], planned [8])";
        Assert.Contains(expected, File.ReadAllText(Path.Combine(folder, "claims.md")));
        var outcome = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ClaimsOutcome.FileName)))!;
        Assert.Equal([expected], outcome["left_out"]!.AsArray().Select(l => (string)l!));
        var tests = outcome["claims"]!.AsArray().SelectMany(c => c!["tests"]!.AsArray()).ToList();
        Assert.All(tests, t => Assert.DoesNotContain("sgd-lr0.1-b50-s1111", t!["runs"]!.AsArray().Select(r => (string)r!)));
        var distance = tests.Single(t => (string)t!["id"]! == "4b")!; // reads the base run: 9 seeds left
        Assert.Equal(9, (int)distance["seeds"]!);
        Assert.Equal("underpowered", (string)distance["verdict"]!);
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
        int cells = SweepManifest.Read(Path.Combine(reference.Folder, SweepManifest.FileName)).Cells.Count;
        Assert.Contains($"{(cells + 1) / 2} already finished", secondOutput); // shard 1/2: the cells of even index
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

    /// <summary>Finding 21.14: a finished claims folder grows to more seeds; only the new seeds' runs are run.</summary>
    [Fact]
    public void A_finished_claims_folder_grows_to_more_seeds()
    {
        string folder = Path.Combine(reference.Root, "grown");
        CopyFolder(reference.Folder, folder);
        string[] arguments = [.. ClaimsReference.Arguments[..^1], "11", "--out", folder];
        var (code, output) = CliHarness.Run(arguments);
        Assert.True(code == 0, output);
        Assert.Contains("from 10 to 11 seeds", output);
        Assert.Contains($"{SweepManifest.Read(Path.Combine(reference.Folder, SweepManifest.FileName)).Cells.Count} already finished", output);
        Assert.Equal(11, ClaimsDesign.Read(Path.Combine(folder, ClaimsDesign.FileName)).Seeds.Count);
        var tests = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ClaimsOutcome.FileName)))!["claims"]!.AsArray().SelectMany(c => c!["tests"]!.AsArray());
        Assert.Contains(tests, t => t!["seed_values"]!.AsArray().Count == 11);
        // Another base setting is still a different design: refused up front, nothing touched.
        string before = File.ReadAllText(Path.Combine(folder, ClaimsDesign.FileName));
        var (refused, refusal) = CliHarness.Run([.. arguments, "--lr", "0.2"]);
        Assert.Equal(2, refused);
        Assert.Contains("describes a different claims design (learning_rate", refusal);
        Assert.Equal(before, File.ReadAllText(Path.Combine(folder, ClaimsDesign.FileName)));
    }

    [Theory]
    [InlineData("--epochs", "1", "--epochs must be at least 2")]
    [InlineData("--seeds", "0", "--seeds must be at least 10")]
    [InlineData("--seeds", "9", "--seeds must be at least 10: with fewer seeds no test can earn a verdict (got 9)")]
    [InlineData("--scale", "huge", "--scale must be cpu or paper")]
    [InlineData("--probe-size", "auto", "--probe-size auto is not available for claims")]
    [InlineData("--batch-size", "1", "--batch-size must be at least 4 for claims: the plan also runs batch size 1/4 (got 1)")]
    [InlineData("--lr", "-1", "--lr must be a positive number (got -1)")]
    [InlineData("--horizon", "4", "--horizon must be 0 or at least 6 and more than --epochs: its phases are epochs 2, horizon/2 and horizon (got 4)")]
    public void Bad_input_is_one_line_exit_2_and_nothing_written(string option, string value, string message)
    {
        string folder = Path.Combine(reference.Root, "bad-" + option.TrimStart('-'));
        var (code, output) = CliHarness.Run("claims", "--dataset", "synthetic", option, value, "--out", folder);
        Assert.Equal(2, code);
        Assert.Contains(message, output);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Claims_run_on_a_scripted_pytorch_model()
    {
        TestDependencies.Require("pytorch");
        string folder = Path.Combine(reference.Root, "torchscript");
        Directory.CreateDirectory(folder);
        Python.Run("""
            import torch, torch.nn as nn, sgdwalk
            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc1 = nn.Linear(64, 16); self.bn = nn.BatchNorm1d(16); self.fc2 = nn.Linear(16, 4)
                def forward(self, x):
                    return self.fc2(torch.relu(self.bn(self.fc1(x.flatten(1)))))
            torch.manual_seed(0)
            sgdwalk.save_model(Net(), "net.pt", (1, 8, 8), 4)
            """, folder);
        string claims = Path.Combine(folder, "claims");
        string[] args = ["claims", "--model", "torchscript:" + Path.Combine(folder, "net.pt"), "--dataset", "synthetic", "--train-size", "400",
            "--epochs", "2", "--out", claims];
        var (code, output) = CliHarness.Run([.. args, "--emit", "slurm"]);
        Assert.True(code == 0, output);
        Assert.Contains("estimated time here:", output);
        Assert.True(File.Exists(Path.Combine(claims, "sweep.slurm")));
        // One cell of the plan, as an array task would run it: a scripted model walks like a zoo model.
        int cells = SweepManifest.Read(Path.Combine(claims, SweepManifest.FileName)).Cells.Count; // 12 seeds × 21 runs (20 if 4b's matched rate is one the plan runs)
        (code, output) = CliHarness.Run([.. args, "--shard", $"1/{cells}"]); // one run per shard
        Assert.True(code == 0, output);
        var run = Directory.EnumerateDirectories(claims).Single(d => File.Exists(Path.Combine(d, "run.json")));
        Assert.Equal(RunStatus.Completed, RunManifest.Read(Path.Combine(run, "run.json")).Status);
    }

    /// <summary>
    /// `--quick`: the CPU design on 2,000 images at 10 seeds (20 runs each, 4 of them the valley control's), its own folder, and before anything runs the
    /// one bound it cannot reach (4a's "below 1 %": 20 chained floor windows of the 368 it needs); with fewer seeds, or at paper scale, refused.
    /// </summary>
    [Fact]
    public void The_quick_plan_says_what_it_cannot_power_before_it_starts()
    {
        string folder = Path.Combine(reference.Root, "quick");
        var (code, output) = CliHarness.Run("claims", "--quick", "--emit", "slurm", "--out", folder);
        Assert.True(code == 0, output);
        Assert.Contains("200 runs (10 seeds × 20 settings)", output); // 16 settings (4b's matched arm and 4c's target runs among them) and the valley control's 4 runs
        Assert.Contains("settings), 2 epochs each; target runs up to 8, valley-control runs 3", output); // no horizon
        Assert.Contains("claims: test 4a is underpowered with this design ('contradicted' (CI below 0.01) needs ≥ 368 chained floor windows, has 20)", output);
        Assert.Single(output.Split('\n'), l => l.Contains("is underpowered with this design", StringComparison.Ordinal));
        var sweep = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, SweepManifest.FileName)))!;
        // The network's runs (the first cell is the base run); the valley control's runs have their own sizes, so these are not shared.
        var network = sweep["cells"]![0]!["options"]!;
        Assert.Equal(("sgd-lr0.05-b100-s1111", 2000, 250), ((string)sweep["cells"]![0]!["name"]!, network["train_size"]!.GetValue<int>(), network["probe_size"]!.GetValue<int>()));

        foreach (string[] bad in new[] { new[] { "--seeds", "9" }, ["--scale", "paper"] })
        {
            string refused = Path.Combine(reference.Root, "quick-" + bad[1]);
            var (badCode, badOutput) = CliHarness.Run(["claims", "--quick", .. bad, "--out", refused]);
            Assert.Equal(2, badCode);
            Assert.Contains(bad[0] == "--seeds" ? "--seeds must be at least 10" : "--quick is a CPU-scale plan", badOutput);
            Assert.False(Directory.Exists(refused));
        }
    }

    [Theory]
    [InlineData(20, "about a minute")]
    [InlineData(89, "about a minute")]
    [InlineData(91, "2 minutes")]
    [InlineData(35 * 60, "35 minutes")]
    [InlineData(3.2 * 3600, "3.2 hours")]
    [InlineData(2.5 * 86400, "2.5 days")]
    public void The_estimate_reads_as_words(double seconds, string expected) =>
        Assert.Equal(expected, ClaimsCommand.Duration(TimeSpan.FromSeconds(seconds)));

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
