using System.Diagnostics;
using System.Globalization;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Records.Claims;
using SgdWalk.Training;

namespace SgdWalk.Experiments;

/// <summary>What the pilot found: floor-sgd's mean step α over its steps, how many steps, the matched learning rate.</summary>
public sealed record MatchedRate(double MeanAlpha, int Steps, double LearningRate, TimeSpan Elapsed);

/// <summary>
/// Claim 4b's matched arm. floor-sgd's line search scales each step by its α, so its effective learning rate is η·α; an SGD
/// run at η·ᾱ tells "a different route" apart from "shorter steps". ᾱ is known only after a floor-sgd run, so the plan
/// runs one before any cell (the design's first seed, unprofiled: measuring never changes the trajectory, so its α are the
/// first seed's floor-sgd run's own, up to the float sums of another thread count, which move the line search's α in the
/// fourth digit) and fixes the rate in claims-design.json, the same for every seed: per seed the mean α varies by a few
/// per cent, and a per-seed rate would need a second phase of the plan after the floor-sgd runs.
/// </summary>
public static class MatchedRatePilot
{
    /// <summary>The pilot's options: the plan's floor-sgd cell of the first seed, without profiles or other measurements.</summary>
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
        };
    }

    /// <summary>Runs the pilot in a temporary folder (deleted after) and returns ᾱ and η·ᾱ; null when it was interrupted.</summary>
    /// <exception cref="InvalidOperationException">The pilot failed, diverged or logged no α.</exception>
    public static MatchedRate? Run(TrainOptions pilot, Action<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var folder = RunFolder.Prepare(Path.Combine(Path.GetTempPath(), $"sgdwalk-pilot-{Guid.NewGuid():N}"), overwrite: false);
        try
        {
            var result = Trainer.Run(pilot, folder, progress, cancel);
            if (result.Status == RunStatus.Interrupted) return null;
            if (result.Status != RunStatus.Completed)
                throw new InvalidOperationException($"the floor-sgd pilot of claim 4b's matched arm ended {result.Status.ToString().ToLowerInvariant()}: {result.Message}");
            return Summarise(CsvTable.Read(folder.Steps).Numbers(Columns.FloorStepAlpha), pilot.LearningRate, clock.Elapsed);
        }
        finally
        {
            try { Directory.Delete(folder.Path, recursive: true); }
            catch (DirectoryNotFoundException) { }
        }
    }

    /// <summary>ᾱ over the finite α of every step, and the rate η·ᾱ to two significant digits.</summary>
    public static MatchedRate Summarise(IReadOnlyList<double> alphas, double learningRate, TimeSpan elapsed)
    {
        var finite = alphas.Where(double.IsFinite).ToList();
        if (finite.Count == 0 || finite.Average() <= 0)
            throw new InvalidOperationException("the floor-sgd pilot of claim 4b's matched arm logged no positive step α (floor_step_alpha)");
        double mean = finite.Average();
        return new MatchedRate(mean, finite.Count, Round(learningRate * mean), elapsed);
    }

    /// <summary>Two significant digits: machines whose float sums differ in the last bits still agree on the rate.</summary>
    public static double Round(double rate) => double.Parse(rate.ToString("G2", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
