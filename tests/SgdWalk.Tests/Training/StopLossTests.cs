using SgdWalk.Landscape;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;

namespace SgdWalk.Tests.Training;

/// <summary>
/// `--stop-loss` (the run ends at the first check where the training loss outside the probe view is at most the target,
/// the epochs a cap) and `--end-curvature` (λ_max and the trace at the final weights), end to end on the synthetic set.
/// </summary>
public class StopLossTests
{
    /// <summary>2,000 synthetic training images in batches of 50: 40 steps per epoch, a stop check every 4 steps.</summary>
    private static readonly TrainOptions Small = new()
    {
        Dataset = "synthetic", Hidden = [16], BatchSize = 50, Epochs = 3, LearningRate = 0.2, ProbeSize = 300,
        Recorder = new() { Probes = ProbePreset.Cheap }, Threads = 1, Seed = 5,
    };

    private const int CheckEvery = 4;

    /// <summary>A target no run reaches: its run.json records the loss at the cap.</summary>
    private const double Unreachable = 1e-9;

    private static (TrainingResult Result, RunFolder Folder, RunManifest Manifest) Train(TrainOptions options)
    {
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        var result = Trainer.Run(options, folder);
        Assert.Equal(RunStatus.Completed, result.Status);
        return (result, folder, RunManifest.Read(folder.Manifest));
    }

    /// <summary>The training loss outside the probe view after <paramref name="steps"/> steps, as the stop check measures it.</summary>
    private static double LossAfter(int steps) => Train(Small with { Steps = steps, StopLoss = Unreachable }).Manifest.StopLoss!.Loss!.Value;

    private static string[] LastEpochRow(RunFolder folder)
    {
        var lines = File.ReadAllLines(folder.Epochs);
        int wall = Array.IndexOf(lines[0].Split(','), "wall_s");
        return [.. lines[^1].Split(',').Where((_, i) => i != wall)];
    }

    private static byte[] Final(RunFolder folder) => File.ReadAllBytes(Path.Combine(folder.Checkpoints, "final.dat"));

    [Fact]
    public void A_target_never_reached_runs_to_the_cap_and_says_so()
    {
        var (result, folder, manifest) = Train(Small with { StopLoss = Unreachable });
        Assert.Equal(120, result.Steps);
        var stop = manifest.StopLoss!;
        Assert.Equal(Unreachable, stop.Target);
        Assert.False(stop.Reached);
        Assert.Equal(120, stop.Step); // the last check is the cap
        Assert.True(stop.Loss > Unreachable && double.IsFinite(stop.Loss!.Value));
        Assert.InRange(stop.Accuracy!.Value, 0, 1);
        Assert.Equal("outside-probe", stop.View);
        Assert.Equal(2_000 - 300, stop.Images);
        Assert.Equal(CheckEvery, stop.CheckEvery);
        Assert.Equal(4, File.ReadAllLines(folder.Epochs).Length); // header and three epochs

        // The checks only measure: the same run without a target takes the same walk, and its run.json has no stop_loss.
        var (_, plain, plainManifest) = Train(Small);
        Assert.Null(plainManifest.StopLoss);
        Assert.False(plainManifest.Options.ContainsKey("stop_loss"));
        Assert.Equal(Final(plain), Final(folder));
    }

    /// <summary>
    /// The target is the loss a run has after <paramref name="step"/> steps (44: a mid-epoch check; 40: the first epoch's
    /// end): the run stops at a check no later than that, at or below the target, the check before it was above, and its
    /// final evaluation (epochs.csv's last row) and weights are those of a run capped at the stop step.
    /// </summary>
    [Theory]
    [InlineData(44)]
    [InlineData(40)]
    public void The_run_stops_at_the_first_check_at_or_below_the_target_and_is_evaluated_there(int step)
    {
        double target = LossAfter(step);
        var (result, folder, manifest) = Train(Small with { StopLoss = target });
        var stop = manifest.StopLoss!;
        Assert.True(stop.Reached);
        int at = stop.Step!.Value;
        Assert.True(at <= step, $"stopped at {at}, the loss was at the target at {step}");
        Assert.Equal(0, at % CheckEvery);
        Assert.True(stop.Loss <= target);
        Assert.Equal(at, result.Steps);
        Assert.Equal(at, manifest.Counts["steps"]);
        if (at > CheckEvery) Assert.True(LossAfter(at - CheckEvery) > target, "the check before the stop was already at the target");

        var (_, capped, _) = Train(Small with { Steps = at });
        Assert.Equal(LastEpochRow(capped), LastEpochRow(folder));
        Assert.Equal(at.ToString(System.Globalization.CultureInfo.InvariantCulture), LastEpochRow(folder)[1]);
        Assert.Equal(Final(capped), Final(folder));
    }

    [Fact]
    public void A_run_interrupted_before_its_target_resumes_to_the_same_stop()
    {
        var options = Small with { StopLoss = LossAfter(48) };
        var (whole, wholeFolder, wholeManifest) = Train(options);

        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        using (var cancel = new CancellationTokenSource())
            Assert.Equal(RunStatus.Interrupted, Trainer.Run(options, folder, p => { if (p.Step == 42) cancel.Cancel(); }, cancel.Token).Status);
        var resumed = Trainer.Resume(folder);

        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.Equal(whole.Steps, resumed.Steps);
        Assert.Equal(wholeManifest.StopLoss, RunManifest.Read(folder.Manifest).StopLoss);
        Assert.Equal(File.ReadAllBytes(wholeFolder.Steps), File.ReadAllBytes(folder.Steps));
        Assert.Equal(LastEpochRow(wholeFolder), LastEpochRow(folder));
        Assert.Equal(Final(wholeFolder), Final(folder));
    }

    [Fact]
    public void The_end_curvature_is_the_probe_applied_to_the_final_weights()
    {
        var options = (Small with
        {
            Steps = 20,
            EndCurvature = true,
            Recorder = Small.Recorder with { Sharpness = new SharpnessOptions { EigenIterations = 8, TraceSamples = 4 } },
        }).Resolve();
        var (_, folder, manifest) = Train(options);
        var end = manifest.EndCurvature!;
        Assert.Equal(20, end.Step);
        Assert.Equal("lanczos", end.Eigen);
        Assert.Equal(8, end.EigenIterations);
        Assert.Equal(4, end.TraceSamples);
        Assert.Equal(300, end.ProbeSamples);
        Assert.True(manifest.Options["end_curvature"]!.GetValue<bool>());

        // final.dat in a freshly built model, the run's probe view and the sharpness probe's measurement on it.
        using var data = RunSetup.LoadData(options);
        using var model = RunSetup.BuildModel(options, data.Train);
        model.load(Path.Combine(folder.Checkpoints, "final.dat"));
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        var indices = RunSetup.ProbeSubset(data.Train.Count, options.ProbeSize, new SeedStreams(options.Seed).ProbeSubset);
        var recorder = options.ToRecorderOptions();
        using var subset = data.Train.Select(indices);
        using var view = DataView.Own("probe", subset.Inputs(), subset.Labels.clone(),
            RunSetup.EvaluationChunk(options, recorder.BatchNorm == BatchNormPolicy.BatchStats));
        var hessian = new HessianVectorProduct(model, parameters, LossSurface.CrossEntropy, recorder.BatchNorm, recorder.Sharpness.Hvp);
        var (lambdaMax, trace) = SharpnessProbe.AtEnd(view, hessian, parameters, recorder.Sharpness);
        Assert.Equal(lambdaMax, end.LambdaMax);
        Assert.Equal(trace!.Value.Value, end.Trace);
        Assert.Equal(trace.Value.StandardError, end.TraceStandardError);

        // Off by default: no measurement and no key.
        var (_, _, plain) = Train(Small with { Steps = 20 });
        Assert.Null(plain.EndCurvature);
        Assert.False(plain.Options.ContainsKey("end_curvature"));
    }

    [Fact]
    public void A_target_must_be_a_positive_number()
    {
        Assert.Contains((Small with { StopLoss = 0 }).Validate(), e => e.StartsWith("--stop-loss must be a positive number", StringComparison.Ordinal));
        Assert.Contains((Small with { StopLoss = double.NaN }).Validate(), e => e.StartsWith("--stop-loss", StringComparison.Ordinal));
        Assert.Empty((Small with { StopLoss = 0.5 }).Validate());
    }
}
