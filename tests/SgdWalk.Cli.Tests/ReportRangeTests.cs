namespace SgdWalk.Cli.Tests;

/// <summary>
/// `report --window` and `--profile-epochs` beyond what the run recorded: the report says which figure it leaves out
/// and why, and an image an earlier report drew for it does not stay behind in figures/.
/// </summary>
public class ReportRangeTests
{
    private static readonly Lazy<string> Run = new(() =>
    {
        string run = Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-report-range-").FullName, "run");
        var (code, output) = CliHarness.Run("train", "--dataset", "synthetic", "--hidden", "8", "--steps", "6", "--probe-size", "100",
            "--threads", "1", "--out", run);
        Assert.True(code == 0, output);
        return run;
    });

    private static string Flat(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    [Fact]
    public void A_window_beyond_the_run_says_so_and_removes_the_earlier_walk_figure()
    {
        string walk = Path.Combine(Run.Value, "figures", "walk.png");
        Assert.Equal(0, CliHarness.Run("report", Run.Value).ExitCode);
        Assert.True(File.Exists(walk));
        var (code, output) = CliHarness.Run("report", Run.Value, "--window", "500:10");
        Assert.True(code == 0, output);
        Assert.Contains(Flat("--window 500:10: the run has no recorded step at or after 500 (recorded: steps 0–5); the walk figure is left out"),
            Flat(output));
        Assert.False(File.Exists(walk), "the earlier report's walk figure is still in figures/");
        Assert.False(File.Exists(Path.ChangeExtension(walk, ".svg")));
        Assert.DoesNotContain("walk.png", File.ReadAllText(Path.Combine(Run.Value, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void Profile_epochs_beyond_the_run_say_so_and_remove_the_earlier_profiles_figure()
    {
        string profiles = Path.Combine(Run.Value, "figures", "profiles.png");
        Assert.Equal(0, CliHarness.Run("report", Run.Value).ExitCode);
        Assert.True(File.Exists(profiles));
        var (code, output) = CliHarness.Run("report", Run.Value, "--profile-epochs", "40,99");
        Assert.True(code == 0, output);
        Assert.Contains(Flat("--profile-epochs: epochs 40,99 have no recorded profiles"), Flat(output));
        Assert.Contains(Flat("the profiles figure is left out"), Flat(output));
        Assert.False(File.Exists(profiles), "the earlier report's profiles figure is still in figures/");
    }
}
