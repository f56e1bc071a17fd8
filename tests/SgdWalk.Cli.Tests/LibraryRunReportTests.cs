using SgdWalk.Records;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// A walk recorded from a user's own loop through the library (the CustomLoop sample) describes itself in run.json,
/// so `sgdwalk report` draws it as it draws a folder `sgdwalk train` wrote.
/// </summary>
public class LibraryRunReportTests
{
    [Fact]
    public void The_custom_loop_samples_folder_has_a_run_json_and_sgdwalk_report_draws_it()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-library-").FullName, "cl");
        Assert.Equal(0, CustomLoop.Program.Main(["30", folder]));

        var manifest = RunManifest.Read(Path.Combine(folder, "run.json"));
        Assert.Equal(RunStatus.Completed, manifest.Status);
        Assert.Equal("library", manifest.Options["source"]!.GetValue<string>());
        Assert.Equal(7, manifest.Seed);
        Assert.Equal(0.3, manifest.Options["learning_rate"]!.GetValue<double>());   // learnt from the first step
        Assert.Equal(32, manifest.Options["batch_size"]!.GetValue<long>());
        Assert.Equal(2 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2, manifest.Counts["parameters"]); // SkipNet(hidden: 64)
        Assert.Equal(["input.weight", "input.bias", "hidden.weight", "hidden.bias", "output.weight", "output.bias"],
            manifest.Options["parameter_names"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(30, manifest.Counts["steps"]);
        Assert.Equal(21, manifest.Counts["recorded_steps"]);

        var (code, text) = CliHarness.Run("report", folder);
        Assert.True(code == 0, text);
        Assert.True(File.Exists(Path.Combine(folder, "report.html")));
        Assert.Contains("SkipNet (tanh, skip connection) on two spirals, learning rate 0.3, batch size 32", File.ReadAllText(Path.Combine(folder, "report.html")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder, "figures"), "*.png"));
    }
}
