using SgdWalk.Data;
using SgdWalk.Formats;
using SgdWalk.Models;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Training;

/// <summary>
/// epochs.csv's distances from θ_0 (claim 3a) against an independent recomputation from the run's own files: θ_0 and
/// θ_T from checkpoints/initial.dat and final.dat, the validation split regenerated from the seed.
/// </summary>
public class EpochDistanceTests
{
    private static readonly TrainOptions Small = new()
    {
        Dataset = "synthetic", Hidden = [16], BatchSize = 50, TrainSize = 200, Epochs = 3, Recorder = new() { Probes = ProbePreset.Cheap },
        Threads = 1, Seed = 5,
    };

    [Fact]
    public void The_angle_and_the_disagreement_with_theta_0_match_a_recomputation_from_the_checkpoints()
    {
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        Assert.Equal(RunStatus.Completed, Trainer.Run(Small, folder).Status);
        var epochs = CsvTable.Read(folder.Epochs);
        double angle = epochs.Numbers(Columns.AngleFromInit)[^1], disagreement = epochs.Numbers(Columns.DisagreementWithInit)[^1];

        using var scope = NewDisposeScope();
        var data = SyntheticData.Create(new SeedStreams(Small.Seed).SyntheticData, trainCount: 200);
        var spec = new ModelSpec(data.Train.Channels, data.Train.Height, data.Train.Width, data.Train.Classes, Small.Hidden, true, null);
        var initial = ModelZoo.Create("mlp", spec);
        var final = ModelZoo.Create("mlp", spec);
        initial.load(Path.Combine(folder.Checkpoints, "initial.dat"));
        final.load(Path.Combine(folder.Checkpoints, "final.dat"));
        var angles = new List<double>();
        foreach (var (a, b) in final.parameters().Zip(initial.parameters()))
        {
            double[] x = a.to(ScalarType.Float64).data<double>().ToArray(), y = b.to(ScalarType.Float64).data<double>().ToArray();
            double dot = x.Zip(y, (p, q) => p * q).Sum(), nx = Math.Sqrt(x.Sum(p => p * p)), ny = Math.Sqrt(y.Sum(q => q * q));
            if (nx > 0 && ny > 0) angles.Add(Math.Acos(Math.Clamp(dot / (nx * ny), -1, 1)));
        }
        Assert.Equal(angles.Average(), angle, 9);
        Assert.True(angle > 0);

        initial.eval();
        final.eval();
        using var _ = no_grad();
        var inputs = data.Validation.Inputs();
        long[] before = initial.call(inputs).argmax(1).data<long>().ToArray(), after = final.call(inputs).argmax(1).data<long>().ToArray();
        Assert.Equal(before.Zip(after).Count(p => p.First != p.Second) / (double)before.Length, disagreement, 12);
        Assert.True(disagreement > 0);
    }

    /// <summary>
    /// A resumed run reads θ_0 back from initial.dat: its model holds the seeded initialisation until the checkpoint is
    /// restored, and with --init-from that is not θ_0 (so this test fails if the seeded weights were taken for θ_0).
    /// </summary>
    [Fact]
    public void A_resumed_run_measures_the_same_distances_as_the_uninterrupted_one()
    {
        string weights = Path.Combine(Directory.CreateTempSubdirectory().FullName, "start.safetensors");
        using (var scope = NewDisposeScope())
        {
            manual_seed(99);
            var other = ModelZoo.Create("mlp", new ModelSpec(1, 8, 8, 4, Small.Hidden, true, null));
            StateDictFile.Write(weights, WeightFormat.Safetensors, StateDictFile.StateOf(other));
        }
        var options = Small with { InitFrom = weights };
        var whole = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        Assert.Equal(RunStatus.Completed, Trainer.Run(options, whole).Status);
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        using (var stop = new CancellationTokenSource())
            Assert.Equal(RunStatus.Interrupted, Trainer.Run(options, folder, p => { if (p.Step == 6) stop.Cancel(); }, stop.Token).Status);
        Assert.Equal(RunStatus.Completed, Trainer.Resume(folder).Status);
        foreach (string column in new[] { Columns.AngleFromInit, Columns.DisagreementWithInit })
            Assert.Equal(CsvTable.Read(whole.Epochs).Numbers(column), CsvTable.Read(folder.Epochs).Numbers(column));
    }
}
