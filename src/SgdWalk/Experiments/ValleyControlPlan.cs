using System.Globalization;
using SgdWalk.Models;
using SgdWalk.Probes;
using SgdWalk.Records.Claims;
using SgdWalk.Training;

namespace SgdWalk.Experiments;

/// <summary>
/// The runs of the corrugated-valley positive control (<see cref="ValleyControl"/>, docs/claims.md "Controls"): per seed,
/// SGD and floor-sgd on <see cref="Valley"/> with b = 4 (`valley`) and b = 0 (`valley-flat`), measured by the claims'
/// own probes (profiles of the probe view, the floor path at lag 1) on the claims' α grid. The same at every scale: two
/// parameters, 75 steps, about a second a run.
/// </summary>
public static class ValleyControlPlan
{
    /// <summary>η·a = 1.5: SGD bounces across the valley; η·b/ℓ² = 6: the corrugation's minima are too sharp for it to settle in.</summary>
    public const double LearningRate = 1.5;

    public const int BatchSize = 20;

    /// <summary>Three epochs of 25 steps, every step recorded: 50 floor segments per run after the first epoch, so 10 seeds
    /// (500) can show 4a's "below 1 %" (368) on the flat valley.</summary>
    public const int Epochs = 3;

    /// <summary>25: every step of the first epoch is a lead-in that test 4a does not read.</summary>
    private const int StepsPerEpoch = Data.ValleyData.DefaultTrainCount / BatchSize;

    public static ValleyControl Design { get; } = new()
    {
        LearningRate = LearningRate,
        BatchSize = BatchSize,
        Corrugation = Valley.Corrugation,
        RecordedSteps = (Epochs - 1) * StepsPerEpoch,
        Landscape = string.Create(CultureInfo.InvariantCulture,
            $"L = a·y²/2 + b·sin(x/ℓ) − c·x + ξ·(x, y), a = {Valley.Curvature}, ℓ = {Valley.Length}, c = {Valley.Tilt}, ξ ~ N(0, {Data.ValleyData.NoiseScale}²) per sample and coordinate, {Data.ValleyData.DefaultTrainCount} samples"),
    };

    /// <summary>The four runs of one seed, named (the plan appends the seed); <paramref name="shared"/> gives only its α grid.</summary>
    public static IEnumerable<(string Name, TrainOptions Options)> Cells(long seed, TrainOptions shared)
    {
        var sgd = new TrainOptions
        {
            Dataset = "valley",
            TrainSize = Data.ValleyData.DefaultTrainCount,
            ValidationSize = Data.ValleyData.DefaultValidationCount,
            LearningRate = LearningRate,
            BatchSize = BatchSize,
            Epochs = Epochs,
            WeightDecay = 0, // the landscape alone
            Seed = seed,
            ProbeSize = null, // the whole training split: the probe view's loss is L itself
            Threads = 1, // two parameters: more threads only add contention
            Recorder = new RecorderOptions
            {
                Probes = ProbePreset.Paper,
                Record = RecordSchedule.Parse("every:1"),
                Alphas = shared.Recorder.Alphas,
                AdaptiveTolerance = shared.Recorder.AdaptiveTolerance,
                FloorLags = [1],
                // Test 4a reads the chain from its second epoch on (the first segment ends at that epoch's first step).
                FloorLagOrigin = StepsPerEpoch,
            },
        };
        // floor-sgd as in the claims' cells: its line search on the probe view, profiled, no floor path.
        var floor = sgd with { Optimizer = OptimizerKind.FloorSgd, FloorView = FloorSearchView.Probe, Recorder = sgd.Recorder with { FloorLags = [], FloorLagOrigin = null } };
        foreach (string model in new[] { ValleyControl.Corrugated, ValleyControl.Flat })
        {
            yield return ($"control-{model}-sgd", sgd with { Model = model });
            yield return ($"control-{model}-floor-sgd", floor with { Model = model });
        }
    }
}
