using System.Diagnostics;
using SgdWalk.Bench.Primitives;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;

namespace SgdWalk.Bench.Workloads;

/// <summary>One Trainer run of a preset: the wall time of each step as the training loop saw it.</summary>
public sealed record PresetRun(ProbePreset Preset, int Round, int Steps, int RecordedSteps, IReadOnlyList<double> StepMs, double PeakMb)
{
    public double MeanStepMs => StepMs.Count == 0 ? double.NaN : StepMs.Average();
}

/// <summary>
/// A preset's cost relative to plain training (preset none), from interleaved runs.
/// <see cref="Factor"/> is the median over rounds of (mean step time of this preset ÷ mean step time of none in the same
/// round): pairing adjacent runs cancels the slow drifts of a shared VM. <see cref="StepMedianFactor"/> compares the
/// median single step of all runs instead, which ignores rare slow steps (and, for paper, the recorded steps).
/// </summary>
public sealed record PresetResult(
    string Preset, int Steps, int RecordedSteps, int Runs, double MeanStepMs, double MedianStepMs,
    double Factor, double FactorMin, double FactorMax, double StepMedianFactor, double PeakMb,
    double? RecordedStepInTrainSteps, double? DefaultWalkFactor);

/// <summary>
/// Runs the library's own <see cref="Trainer"/> (the path `sgdwalk train` takes) for a fixed number of steps per
/// preset, interleaved round by round (none, cheap, paper, none, cheap, …), into temporary run folders that are deleted
/// afterwards. Only the training loop is timed: the interval between consecutive progress callbacks is one whole step
/// (batch, forward, backward, update, probes, CSV row), so data loading, the step-0 checkpoint and the end-of-run
/// evaluation fall outside every interval. Step 0's own time is not observable that way and is left out. Every run
/// starts from the same seed, so all presets train the identical trajectory (probes never move the walk).
/// </summary>
public static class PresetOverhead
{
    /// <summary>The default walk (one Fashion-MNIST epoch of batch 100, default record schedule), for the paper extrapolation.</summary>
    public const int DefaultWalkSteps = 550;

    public static IReadOnlyList<PresetResult> Measure(string model, int threads, BenchPlan plan, PeakMemory memory,
        Action<string> status, CancellationToken cancel)
    {
        var runs = new List<PresetRun>();
        for (int round = 0; round < plan.PresetRounds; round++)
        {
            // none and cheap swap places every round (none, cheap | cheap, none | ...), so a drift within a round
            // (the VM's other tenants, the allocator warming up) does not favour either; paper follows in the first rounds.
            var presets = round % 2 == 0 ? new List<ProbePreset> { ProbePreset.None, ProbePreset.Cheap } : [ProbePreset.Cheap, ProbePreset.None];
            if (round < plan.PaperRounds) presets.Add(ProbePreset.Paper);
            foreach (var preset in presets)
            {
                int steps = preset == ProbePreset.Paper ? plan.PaperSteps(model) : plan.PresetSteps(model);
                status($"preset {Name(preset)}, round {round + 1}/{plan.PresetRounds}, {steps} steps");
                runs.Add(RunOnce(model, threads, plan, preset, round, steps, memory, cancel));
            }
        }
        return Summarise(runs);
    }

    public static string Name(ProbePreset preset) => preset.ToString().ToLowerInvariant();

    private static PresetRun RunOnce(string model, int threads, BenchPlan plan, ProbePreset preset, int round, int steps,
        PeakMemory memory, CancellationToken cancel)
    {
        var options = new TrainOptions
        {
            Model = model,
            Dataset = plan.Dataset,
            DataDir = plan.DataDir,
            LearningRate = plan.LearningRate,
            BatchSize = plan.TrainBatch,
            // One step more than timed: the run is stopped after the last timed step as Ctrl-C would stop it, so the
            // end-of-run evaluation (untimed anyway, seconds for the CNN) costs no wall time.
            Steps = steps + 1,
            Seed = plan.Seed,
            Recorder = new() { Probes = preset },
            Threads = threads,
        };
        var folder = RunFolder.Prepare(Path.Combine(Path.GetTempPath(), $"sgdwalk-bench-{Guid.NewGuid():N}"), overwrite: false);
        try
        {
            var ticks = new List<long>(steps);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            memory.Reset();
            var result = Trainer.Run(options, folder, _ =>
            {
                ticks.Add(Stopwatch.GetTimestamp());
                if (ticks.Count == steps) stop.Cancel();
            }, stop.Token);
            double peak = PeakMemory.Peak();
            cancel.ThrowIfCancellationRequested();
            if (result.Status != RunStatus.Interrupted || ticks.Count != steps)
                throw new InvalidOperationException($"the {Name(preset)} preset run of {model} ended {result.Status}: {result.Message}");
            var stepMs = ticks.Zip(ticks.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b).TotalMilliseconds).ToArray();
            return new PresetRun(preset, round, steps, result.RecordedSteps, stepMs, peak);
        }
        finally
        {
            try { Directory.Delete(folder.Path, recursive: true); }
            catch (DirectoryNotFoundException) { }
        }
    }

    public static IReadOnlyList<PresetResult> Summarise(IReadOnlyList<PresetRun> runs)
    {
        var none = runs.Where(r => r.Preset == ProbePreset.None).ToDictionary(r => r.Round);
        double noneMean = Statistics.Median(none.Values.Select(r => r.MeanStepMs));
        double noneMedian = Statistics.Median(none.Values.SelectMany(r => r.StepMs));
        double? cheapFactor = null;
        var results = new List<PresetResult>();
        foreach (var group in runs.GroupBy(r => r.Preset).OrderBy(g => g.Key))
        {
            var ratios = group.Where(r => none.ContainsKey(r.Round)).Select(r => r.MeanStepMs / none[r.Round].MeanStepMs).ToArray();
            double factor = Statistics.Median(ratios);
            double mean = Statistics.Median(group.Select(r => r.MeanStepMs));
            double median = Statistics.Median(group.SelectMany(r => r.StepMs));
            int steps = group.First().Steps, recorded = group.First().RecordedSteps;
            if (group.Key == ProbePreset.Cheap) cheapFactor = factor;

            double? perRecorded = null, defaultWalk = null;
            if (group.Key == ProbePreset.Paper && recorded > 0)
            {
                // What one recorded step adds to a cheap step, in plain steps, over the observed intervals (steps 1..N-1;
                // step 0 is recorded but not timed); then the default walk's mix of recorded and unrecorded steps.
                var schedule = RecordSchedule.Parse(RecordSchedule.Default);
                int intervals = group.First().StepMs.Count, timedRecorded = recorded - (schedule.Includes(0, 1) ? 1 : 0);
                if (timedRecorded > 0)
                {
                    perRecorded = (factor - (cheapFactor ?? 1)) * intervals / timedRecorded;
                    int walkRecorded = Enumerable.Range(0, DefaultWalkSteps).Count(s => schedule.Includes(s, 1));
                    defaultWalk = (cheapFactor ?? 1) + perRecorded.Value * walkRecorded / DefaultWalkSteps;
                }
            }
            results.Add(new PresetResult(Name(group.Key), steps, recorded, group.Count(), mean, median,
                factor, ratios.DefaultIfEmpty(double.NaN).Min(), ratios.DefaultIfEmpty(double.NaN).Max(), median / noneMedian,
                group.Max(r => r.PeakMb), perRecorded, defaultWalk));
        }
        return results;
    }
}
