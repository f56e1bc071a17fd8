using SgdWalk.Records;

namespace SgdWalk.Cli.Tests;

public class BarrierCommandTests
{
    private static string Train(string name, params string[] extra)
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, name);
        var (code, output) = CliHarness.Run(["train", "--dataset", "synthetic", "--hidden", "32,16", "--batch-size", "50", "--steps", "40",
            "--probe-size", "200", "--record", "steps:0-19", "--out", folder, .. extra]);
        Assert.True(code == 0, output);
        return folder;
    }

    [Fact]
    public void The_floor_path_is_recorded_summarised_and_drawn()
    {
        string run = Train("floor", "--floor-lags", "1,5");
        var steps = CsvTable.Read(Path.Combine(run, "steps.csv"));
        Assert.Equal(19, steps.Numbers("floor_barrier_k1").Count(v => !double.IsNaN(v))); // steps 1-19 have a partner
        Assert.Equal(15, steps.Numbers("floor_barrier_k5").Count(v => !double.IsNaN(v)));
        Assert.All(steps.Numbers("floor_barrier_k1").Where(v => !double.IsNaN(v)), v => Assert.True(v >= 0));
        Assert.True(File.Exists(Path.Combine(run, "figures", "floor-path.png")));
        Assert.Contains("floor barrier fraction (lag 1)", File.ReadAllText(Path.Combine(run, "summary.md")));
    }

    [Fact]
    public void Barrier_measures_the_line_from_initial_to_final_parameters()
    {
        string run = Train("line");
        string csv = Path.Combine(Directory.CreateTempSubdirectory().FullName, "line.csv");
        var (code, output) = CliHarness.Run("barrier", run + ":initial", run + ":final", "--alphas", "0:1:0.25", "--probe-size", "300", "--out", csv);
        Assert.True(code == 0, output);
        Assert.Contains("barrier (max loss on the segment above the higher end)", output);
        var table = CsvTable.Read(csv);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], table.Numbers("alpha"));
        // The path starts at the untrained network (chance level on 4 classes) and ends at the trained one.
        Assert.True(table.Number(0, "train_loss") > table.Number(4, "train_loss"));
        Assert.InRange(table.Number(0, "train_acc"), 0, 0.5);
    }

    [Fact]
    public void Barrier_refuses_what_is_not_a_snapshot_and_snapshots_of_different_models()
    {
        var (code, output) = CliHarness.Run("barrier", "/no/such/run", "/no/such/run:initial");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("/no/such/run", output);

        string a = Train("a");
        string b = Train("b", "--hidden", "8");
        (code, output) = CliHarness.Run("barrier", a, b);
        Assert.Equal(ExitCodes.InvalidInput, code); // snapshots that do not belong together are bad input
        Assert.Contains("not snapshots of the same model", output);
    }

    [Fact]
    public void Floor_sgd_lands_each_step_on_its_own_floor()
    {
        string run = Train("floor-sgd", "--optimizer", "floor-sgd", "--lr", "0.5");
        var steps = CsvTable.Read(Path.Combine(run, "steps.csv"));
        // The recorded batch profile runs along the update actually applied, which ends on the step's floor.
        var floors = steps.Numbers("batch_floor_alpha").Where(v => !double.IsNaN(v)).ToArray();
        Assert.Equal(20, floors.Length);
        Assert.True(Statistics.Median(floors) > 0.9, $"median floor alpha {Statistics.Median(floors)}");
        Assert.Equal("floor-sgd", (string)RunManifest.Read(Path.Combine(run, "run.json")).Options["optimizer"]!);
    }
}
