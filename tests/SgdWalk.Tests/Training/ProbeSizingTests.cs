using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;

namespace SgdWalk.Tests.Training;

/// <summary>`--probe-size auto` and `--alphas adaptive` end to end: what they choose, and that they do not move the walk.</summary>
public class ProbeSizingTests
{
    private static TrainOptions Small() => new()
    {
        Dataset = "synthetic",
        Model = "mlp",
        Hidden = [32, 16],
        BatchSize = 50,
        Steps = 40,
        Epochs = 1,
        LearningRate = 0.5,
        ProbeSize = 300,
        Recorder = new() { Record = RecordSchedule.Parse("every:4") },
        Threads = 1,
        Seed = 8,
    };

    private static RunFolder Train(TrainOptions options)
    {
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        Assert.Equal(RunStatus.Completed, Trainer.Run(options, folder).Status);
        return folder;
    }

    [Fact]
    public void Auto_probe_size_follows_the_rule_and_the_run_equals_one_with_that_size()
    {
        var auto = Train(Small() with { ProbeSizeAuto = true, ProbeError = 0.2 });
        var manifest = RunManifest.Read(auto.Manifest);
        var calibration = manifest.Options["probe_calibration"]!.AsObject();
        int size = calibration["size"]!.GetValue<int>();
        var needed = calibration["needed"]!.AsArray().Select(n => n!.GetValue<int>()).Order().ToArray();
        int train = (int)manifest.Counts["probe_samples"];
        Assert.Equal(size, train);
        Assert.InRange(manifest.Counts["peak_memory_mb"], 50, 24_000); // VmHWM of this test process, recorded by every run

        // The rule, recomputed from the recorded pilot: n = (spread / (error · height))², median, whole chunks of 50.
        var heights = calibration["heights"]!.AsArray().Select(h => h!.GetValue<double>()).ToArray();
        var spreads = calibration["spreads"]!.AsArray().Select(s => s!.GetValue<double>()).ToArray();
        Assert.Equal(ProbeCalibration.MeasuredSteps, heights.Length);
        Assert.NotEmpty(needed);
        foreach (int n in needed)
            Assert.Contains(heights.Zip(spreads), p => p.First > 0 && Math.Abs(Math.Ceiling(Math.Pow(p.Second / (0.2 * p.First), 2)) - n) <= 1);
        int median = needed[needed.Length / 2];
        Assert.Equal(Math.Min(manifest.Counts["probe_samples"], Math.Max(50, (median + 49) / 50 * 50)), size);

        // The pilot leaves no trace: the same run with that size fixed is the same walk, measured the same way.
        var fixedSize = Train(Small() with { ProbeSize = size });
        Assert.Equal(File.ReadAllBytes(Path.Combine(fixedSize.Checkpoints, "final.dat")), File.ReadAllBytes(Path.Combine(auto.Checkpoints, "final.dat")));
        Assert.Equal(File.ReadAllText(fixedSize.Profiles), File.ReadAllText(auto.Profiles));
    }

    [Fact]
    public void Adaptive_profiles_sample_around_the_floor_and_report_the_height_error()
    {
        var small = Small();
        var run = Train(small with { Recorder = small.Recorder with { AdaptiveTolerance = 0.01 } });
        var steps = CsvTable.Read(run.Steps);
        var profiles = CsvTable.Read(run.Profiles);
        var recorded = Enumerable.Range(0, 40).Where(t => t % 4 == 0).ToArray();
        foreach (int t in recorded)
        {
            var alphas = Enumerable.Range(0, profiles.Rows.Count)
                .Where(r => profiles.Number(r, "step") == t && profiles.Text(r, "view") == "probe")
                .Select(r => profiles.Number(r, "alpha")).ToArray();
            Assert.InRange(alphas.Length, 3, 13);
            Assert.Equal(alphas.Order(), alphas);
            Assert.Contains(0.0, alphas);
            Assert.Contains(1.0, alphas);
            double se = steps.Number(t, "probe_height_se"), height = steps.Number(t, "probe_height");
            Assert.True(se >= 0 && double.IsFinite(se));
            if (height > 0) Assert.True(se > 0, $"step {t}: a height of {height} from identical samples at both points");
        }
    }
}
