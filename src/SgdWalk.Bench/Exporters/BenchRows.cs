using System.Globalization;
using SgdWalk.Bench.Primitives;
using SgdWalk.Bench.Workloads;

namespace SgdWalk.Bench.Exporters;

/// <summary>
/// The cells of the tables the console and bench.md show, formatted once (invariant culture) so the two agree.
/// </summary>
public static class BenchRows
{
    public static readonly string[] WorkloadHeader = ["workload", "SgdWalk ms", "PyTorch ms", "ratio", "GFLOP/s", "% of matmul", "peak MB"];

    public static readonly string[] PresetHeader = ["model", "threads", "preset", "steps (recorded)", "ms/step", "factor (range)", "step-median factor", "peak MB"];

    public static IEnumerable<string[]> Workloads(BlockResult block) =>
        block.Workloads.Select(w => new[]
        {
            w.Description,
            Milliseconds(w.Timings.Median),
            w.ReferenceMs is { } theirs ? Milliseconds(theirs) : "—",
            w.Ratio is { } ratio ? Fixed(ratio, 2) : "—",
            Fixed(w.Gflops, 1),
            w.Workload == "matmul" ? "100" : Fixed(100 * w.MatmulFraction, 1),
            Fixed(w.PeakMb, 0),
        }).Concat(block.DefaultRun is { } run
            ? [[$"whole walk, {run.Steps} steps, {run.RecordedSteps} recorded, own process", Milliseconds(run.WallMs), "—", "—", "—", "—", Fixed(run.PeakMb, 0)]]
            : []);

    /// <summary>The lines under a block's table: rates, the recorded-step target, agreement with the reference.</summary>
    public static IEnumerable<string> Notes(BlockResult block)
    {
        yield return Invariant($"training: {Fixed(block.StepsPerSecond, 1)} steps/s; ") +
            Invariant($"one recorded step (batch + probe profiles) = {Fixed(block.RecordedStepInTrainSteps, 1)} training steps, ") +
            Invariant($"{Fixed(block.ConsecutiveRecordedStepInTrainSteps, 1)} when the step before was recorded too, ") +
            Invariant($"{Fixed(block.AdaptiveRecordedStepInTrainSteps, 1)} with --alphas adaptive (GFLOP/s not counted: the points vary)");
        yield return Invariant($"other processes kept {Fixed(block.OtherLoadCores, 2)} cores busy on average during this block") +
            Invariant($"{(block.OtherLoadCores > 0.1 ? ": the figures are skewed" : "")}");
        if (block.Checks is { } c)
            yield return Invariant($"vs PyTorch: profile losses max |Δ| {c.MaxLossDifference:E2} (relative {c.MaxLossRelativeDifference:E2}); ") +
                Invariant($"‖Hv‖ relative Δ {c.HvpNormRelativeDifference:E2}, v·Hv relative Δ {c.HvpDotRelativeDifference:E2}");
        if (block.Reference is { } r)
            yield return Invariant($"reference: torch {r.TorchVersion}, Python {r.PythonVersion}, {r.Blas.Split(" (")[0]}, {r.Threads} thread(s), ") +
                Invariant($"peak {Fixed(r.PeakRssMb, 0)} MB{(r.OtherLoad is { } other ? $", other processes {Fixed(other, 2)} cores" : "")}");
        if (block.ReferenceProblem is { } problem)
            yield return "reference missing: " + problem;
        if (block.DefaultRun is { Problem: null } walk)
            yield return Invariant($"whole walk: resident memory grew {Fixed(walk.GrowthAfterSettleMb, 0)} MB after recorded step ") +
                Invariant($"{DefaultRunMemory.SettleRecordedSteps - 1} (peak {Fixed(walk.PeakMb, 0)} MB)");
        if (block.DefaultRun?.Problem is { } failed)
            yield return "default walk: " + failed;
    }

    public static IEnumerable<string[]> Presets(BlockResult block) =>
        block.Presets.Select(p => new[]
        {
            block.Model,
            Invariant($"{block.Threads}"),
            p.Preset,
            Invariant($"{p.Steps} ({p.RecordedSteps})"),
            Milliseconds(p.MeanStepMs),
            Invariant($"{Fixed(p.Factor, 3)} ({Fixed(p.FactorMin, 3)}–{Fixed(p.FactorMax, 3)})"),
            Fixed(p.StepMedianFactor, 3),
            Fixed(p.PeakMb, 0),
        });

    /// <summary>Per paper preset: what a recorded step costs inside the real loop, and the default walk extrapolated.</summary>
    public static IEnumerable<string> PresetNotes(BlockResult block) =>
        block.Presets.Where(p => p.RecordedStepInTrainSteps is not null).Select(p =>
            $"{block.Model}, {block.Threads} thread(s), paper: a recorded step adds {Fixed(p.RecordedStepInTrainSteps!.Value, 1)} plain steps in the real loop; " +
            $"the default walk ({PresetOverhead.DefaultWalkSteps} steps, default record schedule) would cost ≈ " +
                $"{Fixed(p.DefaultWalkFactor ?? double.NaN, 2)}× plain training");

    public static string Milliseconds(double ms) =>
        double.IsNaN(ms) ? "—" : ms.ToString(ms < 10 ? "F3" : ms < 100 ? "F2" : ms < 1000 ? "F1" : "F0", CultureInfo.InvariantCulture);

    public static string Fixed(double value, int decimals) =>
        double.IsFinite(value) ? value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "—";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
