using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;

namespace SgdWalk.Tests.Training;

/// <summary>End-to-end properties of a run on the seeded synthetic set (small and fast, same code path as Fashion-MNIST).</summary>
public class TrainerTests
{
    private static TrainOptions Small(ProbePreset probes = ProbePreset.Paper, string record = "all") => new()
    {
        Dataset = "synthetic",
        Model = "mlp",
        Hidden = [32, 16],
        BatchSize = 50,
        Steps = 30,
        Epochs = 1,
        LearningRate = 0.2,
        ProbeSize = 300,
        Recorder = new() { Probes = probes, Record = RecordSchedule.Parse(record) },
        Threads = 1,
        Seed = 42,
    };

    private static RunFolder Train(TrainOptions options)
    {
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        var result = Trainer.Run(options, folder);
        Assert.Equal(RunStatus.Completed, result.Status);
        return folder;
    }

    private static byte[] FinalParameters(RunFolder folder) => File.ReadAllBytes(Path.Combine(folder.Checkpoints, "final.dat"));

    /// <summary>
    /// Every probe of the recorder at once: the cheap scalars (norms, distance, cosines), both segment profiles, the
    /// floor path at two lags (<c>--floor-lags</c>), step sharpness, λ_max with top-k and trace, and batch sharpness,
    /// each on every step; then the other code paths (adaptive α grid, extrapolated α, power iteration,
    /// finite-difference HVPs) on a sparser schedule. Each one under both BatchNorm policies.
    /// </summary>
    public static TheoryData<SgdWalk.Landscape.BatchNormPolicy> BatchNormPolicies =>
        [SgdWalk.Landscape.BatchNormPolicy.BatchStats, SgdWalk.Landscape.BatchNormPolicy.Running];

    [Theory]
    [MemberData(nameof(BatchNormPolicies))]
    public void Measuring_does_not_move_the_walk(SgdWalk.Landscape.BatchNormPolicy batchNorm)
    {
        static RecordSchedule Steps(string text) => RecordSchedule.Parse(text);
        TrainOptions Measured(ProbePreset probes, string record, Func<RecorderOptions, RecorderOptions> change)
        {
            var options = Small(probes, record);
            return options with { Recorder = change(options.Recorder with { BatchNorm = batchNorm }) };
        }
        var plain = Train(Measured(ProbePreset.None, "all", r => r));
        var everything = Train(Measured(ProbePreset.Paper, "all", r => r with
        {
            FloorLags = [1, 5],
            RandomDirection = true,
            Sharpness = new SharpnessOptions { Schedule = RecordSchedule.All, TopK = 2, EigenIterations = 6, TraceSamples = 3 },
        }));
        var otherPaths = Train(Measured(ProbePreset.Paper, "every:3", r => r with
        {
            AdaptiveTolerance = 0.05,
            FloorLags = [3],
            Sharpness = new SharpnessOptions
            {
                Schedule = Steps("every:2"),
                Eigen = SgdWalk.Landscape.EigenMethod.Power,
                Hvp = SgdWalk.Landscape.HvpMethod.FiniteDifference,
                TraceSamples = 0,
            },
        }));
        var extrapolated = Train(Measured(ProbePreset.Paper, "every:4", r => r with { Alphas = [-0.5, 0, 0.25, 0.5, 0.75, 1, 1.5], FloorLags = [4] }));
        var cheap = Train(Measured(ProbePreset.Cheap, "all", r => r with { Sharpness = new SharpnessOptions { Schedule = Steps("every:5") } }));
        // Gradient alignment: Lanczos at θ_t and mini-batch gradients from the pool outside the probe subset, its own stream.
        var alignment = Train(Measured(ProbePreset.Cheap, "all", r => r with
        {
            Alignment = new AlignmentOptions { Schedule = Steps("every:4"), TopK = 3, BatchSizes = [10, 40], Batches = 2, EigenIterations = 6 },
        }));

        foreach (var measured in new[] { everything, otherPaths, extrapolated, cheap, alignment })
        {
            Assert.Equal(FinalParameters(plain), FinalParameters(measured));
            Assert.Equal(CsvTable.Read(plain.Steps).Numbers("train_loss"), CsvTable.Read(measured.Steps).Numbers("train_loss"));
        }

        // The probes did measure (a probe that silently skipped would pass the equalities above).
        var all = CsvTable.Read(everything.Steps);
        Assert.Equal(30, all.Rows.Count);
        foreach (var column in new[] { "grad_norm", "step_norm", "batch_floor_alpha", "probe_floor_alpha", "random_floor_alpha", "step_sharpness",
            "lambda_max", "trace", "batch_sharpness" })
            Assert.All(Enumerable.Range(0, 30), t => Assert.True(double.IsFinite(all.Number(t, column)), $"{column} at step {t}"));
        Assert.All(Enumerable.Range(1, 29), t => Assert.True(double.IsFinite(all.Number(t, "cos_grad")) && double.IsFinite(all.Number(t, "floor_barrier_k1"))));
        Assert.All(Enumerable.Range(5, 25), t => Assert.True(double.IsFinite(all.Number(t, "floor_barrier_k5")), $"floor_barrier_k5 at step {t}"));
        var other = CsvTable.Read(otherPaths.Steps);
        Assert.True(double.IsFinite(other.Number(2, "lambda_max")) && double.IsFinite(other.Number(6, "floor_barrier_k3")));
        Assert.True(double.IsFinite(CsvTable.Read(extrapolated.Steps).Number(8, "floor_barrier_k4")));
        Assert.True(double.IsFinite(CsvTable.Read(cheap.Steps).Number(5, "step_sharpness")));
        var aligned = CsvTable.Read(alignment.Steps);
        Assert.All(new[] { 0, 4, 28 }, t => Assert.InRange(aligned.Number(t, "align_k3_b40"), 0, 1));
        Assert.True(double.IsNaN(aligned.Number(1, "align_k3_b10")));
    }

    /// <summary>floor-sgd logs the α every step landed on and says in run.json how many floors lay beyond its search's cap.</summary>
    [Fact]
    public void Floor_sgd_logs_its_alpha_every_step_and_counts_floors_beyond_the_cap()
    {
        var folder = Train(Small(ProbePreset.Cheap) with { Optimizer = OptimizerKind.FloorSgd });
        var steps = CsvTable.Read(folder.Steps);
        Assert.Equal(30, steps.Rows.Count);
        Assert.All(steps.Numbers(Columns.FloorStepAlpha), a => Assert.InRange(a, 0, FloorStep.MaxAlpha));
        var counts = RunManifest.Read(folder.Manifest).Counts;
        Assert.InRange(counts["floor_beyond_cap"], 0, 30);
        Assert.Equal(steps.Numbers(Columns.FloorStepAlpha).Count(a => a == FloorStep.MaxAlpha), counts["floor_beyond_cap"]);
        Assert.False(CsvTable.Read(Train(Small(ProbePreset.Cheap)).Steps).Has(Columns.FloorStepAlpha));
    }

    [Fact]
    public void The_same_seed_gives_identical_files_and_another_seed_does_not()
    {
        var a = Train(Small());
        var b = Train(Small());
        Assert.Equal(File.ReadAllBytes(a.Steps), File.ReadAllBytes(b.Steps));
        Assert.Equal(File.ReadAllBytes(a.Profiles), File.ReadAllBytes(b.Profiles));
        var ea = CsvTable.Read(a.Epochs);
        var eb = CsvTable.Read(b.Epochs);
        foreach (var column in ea.Columns.Where(c => c != "wall_s")) Assert.Equal(ea.Numbers(column), eb.Numbers(column));

        var c = Train(Small() with { Seed = 43 });
        Assert.NotEqual(File.ReadAllBytes(a.Steps), File.ReadAllBytes(c.Steps));
    }

    [Fact]
    public void Profiles_join_up_and_start_at_the_training_loss()
    {
        var folder = Train(Small());
        var steps = CsvTable.Read(folder.Steps);
        var profiles = CsvTable.Read(folder.Profiles);
        double Point(int step, string view, double alpha) =>
            Enumerable.Range(0, profiles.Rows.Count)
                .Where(r => profiles.Number(r, "step") == step && profiles.Text(r, "view") == view && profiles.Number(r, "alpha") == alpha)
                .Select(r => profiles.Number(r, "loss")).Single();

        for (int t = 0; t < 29; t++)
        {
            // The probe view is fixed, so the end of step t is exactly the start of step t+1.
            Assert.Equal(Point(t, "probe", 1.0), Point(t + 1, "probe", 0.0));
            // Batch-stats BN: the batch view at α = 0 is the forward pass the step itself made.
            Assert.Equal(steps.Number(t, "train_loss"), steps.Number(t, "batch_loss_start"), 5e-6);
            Assert.Equal(Point(t, "batch", 0.0), steps.Number(t, "batch_loss_start"));
        }
        var epochs = CsvTable.Read(folder.Epochs);
        Assert.Single(epochs.Rows);
        Assert.InRange(epochs.Number(0, "test_acc"), 0, 1);
        var manifest = RunManifest.Read(folder.Manifest);
        Assert.Equal(RunStatus.Completed, manifest.Status);
        Assert.Equal(30, manifest.Counts["steps"]);
        Assert.Equal(30, manifest.Counts["recorded_steps"]);
        Assert.Equal("synthetic", (string)manifest.Options["dataset"]!);
        Assert.True(manifest.TimingsSeconds["probes_s"] > 0);
        Assert.NotEqual("unknown", manifest.Versions["libtorch"]);
    }

    [Fact]
    public void A_learning_rate_that_explodes_ends_the_run_as_diverged()
    {
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        var result = Trainer.Run(Small(ProbePreset.Cheap) with { LearningRate = 1e12, Hidden = [32], ModelBatchNorm = false }, folder);
        Assert.Equal(RunStatus.Diverged, result.Status);
        Assert.Contains("diverged at step", result.Message);
        Assert.Equal(RunStatus.Diverged, RunManifest.Read(folder.Manifest).Status);
    }

    [Fact]
    public void A_cancelled_run_stops_at_a_step_boundary_as_interrupted()
    {
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        using var cancel = new CancellationTokenSource();
        var result = Trainer.Run(Small(ProbePreset.Cheap), folder, p => { if (p.Step == 5) cancel.Cancel(); }, cancel.Token);
        Assert.Equal(RunStatus.Interrupted, result.Status);
        Assert.Equal(5, CsvTable.Read(folder.Steps).Rows.Count);
        Assert.Equal(RunStatus.Interrupted, RunManifest.Read(folder.Manifest).Status);
    }
}
