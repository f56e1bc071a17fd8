using System.Text.Json;
using SgdWalk.Checkpoints;
using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Models;
using SgdWalk.Records;
using SgdWalk.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Barriers;

/// <summary>What `sgdwalk barrier` measures: the straight path between two snapshots of the same model.</summary>
public sealed record BarrierOptions(
    Snapshot From, Snapshot To, IReadOnlyList<double> Alphas, BatchNormPolicy BatchNorm = BatchNormPolicy.Recompute,
    int? ProbeSize = 5000, string? DataDir = null);

/// <summary>
/// Rebuilds the run's model and data from run.json, loads both snapshots and measures the loss along the line
/// between them on the run's probe subset of the training split (`train`) and on the test set (`test`).
/// </summary>
public static class BarrierMeasurement
{
    public static IReadOnlyList<PathPoint> Run(BarrierOptions o)
    {
        var options = TrainingOptionsOf(o.From.Run);
        var other = TrainingOptionsOf(o.To.Run);
        if (other.Model != options.Model || other.Dataset != options.Dataset || !SameWidths(other.Hidden, options.Hidden) || other.Depth != options.Depth)
            throw new ArgumentException(
                $"{o.From.Label} ({options.Model} on {options.Dataset}) and {o.To.Label} ({other.Model} on {other.Dataset}) are not snapshots of the same model");

        // The TorchScript file (and .npz data) must still be what the runs were trained with: a file re-saved in place
        // would evaluate the old snapshots with another forward.
        foreach (var run in new[] { o.From.Run, o.To.Run }.DistinctBy(r => r.Path))
        {
            var recorded = RunManifest.Read(run.Manifest).Options;
            if ((RecordedFiles.ModelProblem(recorded) ?? RecordedFiles.DataProblem(recorded)) is { } problem)
                throw new ArgumentException($"{problem}; refusing to measure {run.Path}'s snapshots with it");
        }
        using var data = RunSetup.LoadData(options, o.DataDir);
        using var model = RunSetup.BuildModel(options, data.Train);
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        (ParamVector, ModelState) Load(Snapshot s)
        {
            if (s.File.EndsWith(".ckpt", StringComparison.Ordinal)) LoadCheckpoint(model, s);
            else
            {
                try { model.load(s.File); }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or EndOfStreamException)
                {
                    throw new InvalidDataException($"{s.File}: cannot be loaded into {options.Model} ({e.Message})");
                }
            }
            return (ParamVector.OfValues(parameters), ModelState.Capture(model));
        }
        var (a, stateA) = Load(o.From);
        var (b, stateB) = Load(o.To);
        try
        {
            var indices = RunSetup.ProbeSubset(data.Train.Count, o.ProbeSize, new SeedStreams(options.Seed).ProbeSubset);
            using var subset = data.Train.Select(indices);
            int chunk = RunSetup.EvaluationChunk(options, o.BatchNorm == BatchNormPolicy.BatchStats);
            using var trainInputs = subset.Inputs();
            using var testInputs = data.Test.Inputs();
            using var train = DataView.Borrow("train", trainInputs, subset.Labels, chunk);
            using var test = DataView.Borrow("test", testInputs, data.Test.Labels, chunk);
            using var recalibration = DataView.Borrow("recalibration", trainInputs, subset.Labels, options.MicroBatch);
            var path = new LinearPath(model, LossSurface.CrossEntropy, o.BatchNorm, recalibration);
            // A file dataset without a test split is measured on the training probe alone.
            return path.Measure(a, stateA, b, stateB, o.Alphas, data.Test.Count > 0 ? [train, test] : [train]);
        }
        finally
        {
            a.Dispose(); b.Dispose(); stateA.Dispose(); stateB.Dispose();
        }
    }

    /// <summary>max over α ∈ [0, 1] of the loss minus the larger end: the barrier between the snapshots (0 when none).</summary>
    public static double Barrier(IReadOnlyList<PathPoint> points, string view)
    {
        double start = points.First(p => p.Alpha == 0).Views[view].Loss, end = points.First(p => p.Alpha == 1).Views[view].Loss;
        return points.Where(p => p.Alpha is >= 0 and <= 1).Max(p => p.Views[view].Loss) - Math.Max(start, end);
    }

    /// <summary>A step checkpoint of the snapshot's own run (checked like resume checks it) into the model.</summary>
    private static void LoadCheckpoint(nn.Module model, Snapshot s)
    {
        CheckpointFile checkpoint;
        try { checkpoint = CheckpointFile.Read(s.File); }
        catch (InvalidDataException e) { throw new ArgumentException(e.Message); }
        using (checkpoint)
        {
            try { ResumePlan.CheckBelongs(checkpoint, TrainingOptionsOf(s.Run), s.File); }
            catch (ResumeException e)
            {
                throw new ArgumentException(e.Message.Replace("refusing to resume from it", "not a snapshot of this run", StringComparison.Ordinal));
            }
            using var scope = NewDisposeScope();
            using (no_grad())
                foreach (var (name, live) in model.state_dict())
                    live.copy_(checkpoint.Tensors["model/" + name]);
        }
    }

    private static TrainOptions TrainingOptionsOf(RunFolder run) =>
        RunManifest.Read(run.Manifest).Options.Deserialize<TrainOptions>(RunManifest.Json)
        ?? throw new InvalidDataException($"{run.Manifest}: no options");

    private static bool SameWidths(IReadOnlyList<int>? a, IReadOnlyList<int>? b) =>
        (a ?? []).SequenceEqual(b ?? []);
}
