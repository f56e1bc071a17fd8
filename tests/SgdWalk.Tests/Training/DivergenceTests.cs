using SgdWalk.Checkpoints;
using SgdWalk.Platform;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Training;

public class DivergenceTests
{
    [Fact]
    public void A_learning_rate_that_explodes_mid_run_stops_it_as_diverged_and_keeps_the_last_good_checkpoint()
    {
        // 40 steps per epoch; the rate is multiplied by 1e12 at epoch 0.5 (step 20).
        var options = new TrainOptions
        {
            Dataset = "synthetic", Hidden = [32], ModelBatchNorm = false, BatchSize = 50, Steps = 40, LearningRate = 0.2,
            Schedule = "step:0.5:1e12", Recorder = new() { Probes = ProbePreset.Cheap }, Threads = 1, Seed = 5, CheckpointEvery = 5, KeepCheckpoints = 2,
        };
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        var result = Trainer.Run(options, folder);

        Assert.Equal(RunStatus.Diverged, result.Status);
        var match = System.Text.RegularExpressions.Regex.Match(result.Message!, @"^diverged at step (\d+): (training loss is|training loss \S+ exceeds 1e6|parameter ')");
        Assert.True(match.Success, result.Message);
        int step = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(step, 20, 39);
        var manifest = RunManifest.Read(folder.Manifest);
        Assert.Equal(RunStatus.Diverged, manifest.Status);
        Assert.Equal(result.Message, manifest.Message);
        Assert.Equal(step + 1, CsvTable.Read(folder.Steps).Rows.Count); // the diverging step's row is kept

        // The newest checkpoint is from before the divergence and holds only finite numbers.
        var store = new CheckpointStore(folder.Checkpoints);
        Assert.Equal(2, store.Steps().Count);
        using var last = CheckpointFile.Read(store.Latest()!);
        Assert.InRange(last.Header.Step, step - 4, step);
        foreach (var (name, value) in last.Under("model/"))
            Assert.True(value.isfinite().all().item<bool>(), name);

        // A diverged run is not resumed: it would diverge again at the same step.
        var e = Assert.Throws<ResumeException>(() => Trainer.Resume(folder));
        Assert.Contains("diverged", e.Message);
    }

    [Fact]
    public void The_offending_parameter_or_the_loss_is_named()
    {
        using var good = new Parameter(tensor(new float[] { 1, 2 }));
        using var bad = new Parameter(tensor(new float[] { 1, float.PositiveInfinity, float.NegativeInfinity }));
        using var nan = new Parameter(tensor(new float[] { float.NaN }));
        string[] names = ["layers.0.weight", "layers.1.bias"];

        Assert.Null(Divergence.Check(3, 0.5, [good, good], names));
        Assert.Equal("diverged at step 3: training loss is NaN", Divergence.Check(3, double.NaN, [good, good], names));
        Assert.Equal("diverged at step 4: training loss is Infinity", Divergence.Check(4, double.PositiveInfinity, [good, good], names));
        Assert.Equal("diverged at step 7: parameter 'layers.1.bias' has 2 infinite value(s) after the update", Divergence.Check(7, 0.5, [good, bad], names));
        Assert.Equal("diverged at step 8: parameter 'layers.0.weight' has 1 NaN value(s) after the update", Divergence.Check(8, 0.5, [nan, bad], names));
    }

    [Fact]
    public void A_finite_loss_a_million_times_its_start_is_divergence()
    {
        using var good = new Parameter(tensor(new float[] { 1, 2 }));
        string[] names = ["w"];
        // Against max(1, initial loss): a start of 2.3 allows up to 2.3e6, a start below 1 allows up to 1e6.
        Assert.Null(Divergence.Check(5, 2.2e6, 2.3, [good], names));
        Assert.Equal("diverged at step 5: training loss 2.4E+06 exceeds 1e6 × max(1, the initial loss 2.3)", Divergence.Check(5, 2.4e6, 2.3, [good], names));
        Assert.Null(Divergence.Check(5, 9e5, 0.01, [good], names));
        Assert.NotNull(Divergence.Check(5, 1.1e6, 0.01, [good], names));
        // Before step 0's loss is known (NaN) only non-finite values count.
        Assert.Null(Divergence.Check(5, 1e25, double.NaN, [good], names));
    }

    [Fact]
    public void Nnpack_is_switched_off_in_libtorch()
    {
        // Its probe warned once per convolution on CPUs it does not support; the switch is libtorch's own flag.
        Nnpack.Disable();
        Assert.False(Nnpack.Enabled());
    }
}
