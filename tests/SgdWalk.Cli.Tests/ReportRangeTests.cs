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

    [Theory]
    [InlineData("walk", "--window", "500:10", "--window 500:10: the run has no recorded step at or after 500 (recorded: steps 0–5); the walk figure is left out")]
    [InlineData("profiles", "--profile-epochs", "40,99", "--profile-epochs: epochs 40,99 have no recorded profiles")]
    public void A_range_beyond_the_run_says_so_and_removes_the_earlier_figure(string figure, string option, string value, string expected)
    {
        string image = Path.Combine(Run.Value, "figures", figure + ".png");
        Assert.Equal(0, CliHarness.Run("report", Run.Value).ExitCode);
        Assert.True(File.Exists(image));
        var (code, output) = CliHarness.Run("report", Run.Value, option, value);
        Assert.True(code == 0, output);
        Assert.Contains(Flat(expected), Flat(output));
        Assert.Contains(Flat($"the {figure} figure is left out"), Flat(output));
        Assert.False(File.Exists(image), $"the earlier report's {figure} figure is still in figures/");
        Assert.False(File.Exists(Path.ChangeExtension(image, ".svg")));
        Assert.DoesNotContain(figure + ".png", File.ReadAllText(Path.Combine(Run.Value, "report.html")), StringComparison.Ordinal);
    }
}
