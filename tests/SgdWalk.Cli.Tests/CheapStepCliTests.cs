using System.Text.Json.Nodes;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// Under the cheap preset the recorder takes the optimiser's step in its own pass, but only where that pass gives the
/// bits libtorch's kernels give (run.json says which). Both conditions are forced here: this machine's own libtorch
/// kernels, and libtorch's portable ones (<c>ATEN_CPU_CAPABILITY=default</c>, which round a multiply-add twice). Under
/// either, a cheap walk is the plain walk to the last bit: measuring never changes the trajectory.
/// </summary>
public class CheapStepCliTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("default")]
    public void A_cheap_walk_is_the_plain_walk_whatever_kernels_libtorch_runs(string? capability)
    {
        IReadOnlyList<(string, string)> environment = capability is null ? [] : [("ATEN_CPU_CAPABILITY", capability)];
        var (plain, cheap) = (Walk("none"), Walk("cheap"));
        // train_loss is the batch loss at θ_t: one differing bit of any θ_t shows in it.
        Assert.Equal(Column(plain, "train_loss"), Column(cheap, "train_loss"));
        // And the final evaluation (every column but the wall time).
        Assert.Equal(Evaluation(plain), Evaluation(cheap));
        var decision = JsonNode.Parse(File.ReadAllText(Path.Combine(cheap, "run.json")))!["machine"]!["sgd_step_pass"]!.GetValue<string>();
        Assert.Contains(decision, new[] { "libtorch's bits", "other bits than libtorch's: the cheap preset copies" });

        string Walk(string probes)
        {
            string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
            using var child = ChildCli.StartWithEnvironment(environment, "train", "--dataset", "synthetic", "--hidden", "32,16", "--batch-size", "50",
                "--steps", "30", "--momentum", "0.9", "--probes", probes, "--threads", "1", "--no-report", "--out", folder);
            Assert.True(child.WaitForExit() == 0, child.Output);
            return folder;
        }
    }

    private static List<string> Evaluation(string folder)
    {
        var header = File.ReadLines(Path.Combine(folder, "epochs.csv")).First().Split(',');
        return header.Where(c => !c.Contains("seconds", StringComparison.Ordinal) && c != "wall_s").SelectMany(c => Column(folder, c, "epochs.csv")).ToList();
    }

    private static List<string> Column(string folder, string name, string file = "steps.csv")
    {
        var lines = File.ReadAllLines(Path.Combine(folder, file));
        int index = Array.IndexOf(lines[0].Split(','), name);
        Assert.True(index >= 0, $"{file} has no {name}");
        return lines.Skip(1).Select(l => l.Split(',')[index]).ToList();
    }
}
