using System.Diagnostics;
using System.Globalization;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Records.Claims;
using SgdWalk.Training;

namespace SgdWalk.Experiments;

/// <summary>
/// What the pilot found: floor-sgd's mean step α over its steps, how many steps, the matched learning rate η·ᾱ, and its
/// training loss outside the probe view at its end with the target L* taken from it.
/// </summary>
public sealed record PilotResult(double MeanAlpha, int Steps, double LearningRate, double FinalLoss, double TargetLoss, TimeSpan Elapsed);

/// <summary>
/// One floor-sgd run before any cell of a CPU claims plan fixes two of the design's numbers, the same for every seed:
/// <list type="bullet">
/// <item>Claim 4b's matched arm. floor-sgd's line search scales each step by its α, so its effective learning rate is η·α;
/// an SGD run at η·ᾱ tells "a different route" apart from "shorter steps". Per seed the mean α varies by a few per cent,
/// and a per-seed rate would need a second phase of the plan after the floor-sgd runs.</item>
/// <item>Claim 4c's common training-loss target L* (<see cref="ClaimsPlan.TargetLossFrom"/>): the fit floor-sgd reaches in
/// the plan's epochs, so that both arms of 4c reach it within their cap on this model and data, whatever they are (a fixed
/// L* that suits the mlp leaves floor-sgd short of it on another network, and 4c with no seeds).</item>
/// </list>
/// The pilot is the plan's floor-sgd cell of the first seed, unprofiled: measuring never changes the trajectory, so its α
/// are that run's own, up to the float sums of another thread count, which move the line search's α in the fourth digit.
/// </summary>
public static class FloorSgdPilot
{
    /// <summary>
    /// The pilot's options: the plan's floor-sgd cell of the first seed, without profiles or other measurements, with a
    /// `--stop-loss` target no run reaches: its checks log the training loss outside the probe view (the view L* is stated
    /// on), the last of them at the run's end.
    /// </summary>
    public static TrainOptions Options(ClaimsDesign design, TrainOptions shared)
    {
        string name = ClaimsPlan.FloorSgdName(design) + $"-s{design.Seeds[0].ToString(CultureInfo.InvariantCulture)}";
        var cell = ClaimsPlan.Build(design, shared).Cells.Single(c => c.Name == name).Options;
        return cell with
        {
            // floor_step_alpha is logged on every step whatever the preset; nothing else is needed.
            Recorder = cell.Recorder with { Probes = ProbePreset.None, Record = RecordSchedule.None, FloorLags = [], Alignment = new AlignmentOptions() },
            TensorBoard = false,
            CheckpointEvery = null,
            StopLoss = double.Epsilon,
        };
    }

    /// <summary>Runs the pilot in a temporary folder (deleted after) and returns what it found; null when it was interrupted.</summary>
    /// <exception cref="InvalidOperationException">The pilot failed, diverged, logged no α or no final loss.</exception>
    public static PilotResult? Run(TrainOptions pilot, Action<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var folder = RunFolder.Prepare(Path.Combine(Path.GetTempPath(), $"sgdwalk-pilot-{Guid.NewGuid():N}"), overwrite: false);
        try
        {
            var result = Trainer.Run(pilot, folder, progress, cancel);
            if (result.Status == RunStatus.Interrupted) return null;
            if (result.Status != RunStatus.Completed)
                throw new InvalidOperationException($"the floor-sgd pilot of claims 4b and 4c ended {result.Status.ToString().ToLowerInvariant()}: {result.Message}");
            double finalLoss = RunManifest.Read(folder.Manifest).StopLoss?.Loss ?? double.NaN;
            return Summarise(CsvTable.Read(folder.Steps).Numbers(Columns.FloorStepAlpha), pilot.LearningRate, finalLoss, clock.Elapsed);
        }
        finally
        {
            try { Directory.Delete(folder.Path, recursive: true); }
            catch (DirectoryNotFoundException) { }
        }
    }

    /// <summary>ᾱ over the finite α of every step, the rate η·ᾱ to two significant digits, and L* from the final loss.</summary>
    public static PilotResult Summarise(IReadOnlyList<double> alphas, double learningRate, double finalLoss, TimeSpan elapsed)
    {
        var finite = alphas.Where(double.IsFinite).ToList();
        if (finite.Count == 0 || finite.Average() <= 0)
            throw new InvalidOperationException("the floor-sgd pilot of claims 4b and 4c logged no positive step α (floor_step_alpha)");
        if (!double.IsFinite(finalLoss) || finalLoss <= 0)
            throw new InvalidOperationException("the floor-sgd pilot of claims 4b and 4c logged no training loss outside the probe view at its end (run.json stop_loss)");
        double mean = finite.Average();
        return new PilotResult(mean, finite.Count, Round(learningRate * mean), finalLoss, ClaimsPlan.TargetLossFrom(finalLoss), elapsed);
    }

    /// <summary>Two significant digits: machines whose float sums differ in the last bits still agree on the rate.</summary>
    public static double Round(double rate) => double.Parse(rate.ToString("G2", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
