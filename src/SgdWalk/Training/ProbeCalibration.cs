using SgdWalk.Data;
using SgdWalk.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>What `--probe-size auto` measured and chose (recorded in run.json as options.probe_calibration).</summary>
public sealed record ProbeCalibrationResult(
    int Size, double TargetError, int Pool, int WarmupSteps, IReadOnlyList<double> Heights, IReadOnlyList<double> Spreads,
    IReadOnlyList<int> Needed, string Note);

/// <summary>
/// `--probe-size auto`: the smallest probe subset whose height is measured to a target relative standard error.
/// The error of a height comes from the spread s of the per-sample differences ℓ_i(0) − ℓ_i(floor), so n samples
/// give s/√n and the target e·height needs n = (s / (e·height))². s and the height are measured on a pilot: a copy of
/// the run's first steps (plain SGD at the initial learning rate, mini-batches from the pilot's own stream),
/// profiled on a pool of up to 10,000 training samples that contains every candidate subset (the probe subset of
/// size n is the first n of the same seeded permutation). The pilot's parameters, buffers and gradients are put back
/// bit for bit, so the run itself is exactly the run with `--probe-size n`.
/// </summary>
public static class ProbeCalibration
{
    public const int WarmupSteps = 30;
    public const int MeasuredSteps = 5;
    public const int MaxPool = 10_000;

    public static ProbeCalibrationResult Run(nn.Module<Tensor, Tensor> model, IReadOnlyList<Parameter> parameters, LabeledImages train,
        TrainOptions options, Device device)
    {
        var streams = new SeedStreams(options.Seed);
        int chunk = RunSetup.EvaluationChunk(options, options.Recorder.BatchNorm == BatchNormPolicy.BatchStats);
        int poolSize = Math.Min(MaxPool, train.Count);
        var heights = new List<double>();
        var spreads = new List<double>();
        var needed = new List<int>();

        using var savedParameters = ParamVector.OfValues(parameters);
        using var savedState = ModelState.Capture(model);
        using (var pool = train.Select(RunSetup.ProbeSubset(train.Count, poolSize, streams.ProbeSubset)))
        using (var view = DataView.Own("pool", pool.Inputs().to(device), pool.Labels.to(device), chunk))
        using (var generator = new Generator((ulong)streams.Pilot))
        {
            var profiler = new SegmentProfiler(new LossSurface(model, LossSurface.CrossEntropy, options.Recorder.BatchNorm), parameters);
            for (int step = 0; step < WarmupSteps + MeasuredSteps; step++)
            {
                using var scope = NewDisposeScope();
                using var start = ParamVector.OfValues(parameters);
                using var startState = ModelState.Capture(model);
                var index = randint(train.Count, [options.BatchSize], generator: generator);
                SgdStep.Plain(model, parameters, train.Inputs(index).to(device), train.Labels.index_select(0, index).to(device),
                    options.LearningRate);
                if (step < WarmupSteps) continue;

                using var end = ParamVector.OfValues(parameters);
                using var endState = ModelState.Capture(model);
                using var direction = end.Minus(start);
                var measured = profiler.Measure(new Segment(start, end, direction, startState, endState), options.Recorder.Alphas, view);
                double height = measured.Profile.Height, spread = measured.HeightStandardError * Math.Sqrt(view.Count);
                heights.Add(height);
                spreads.Add(spread);
                // A floor at the start (height 0) says nothing about the precision needed; such steps do not vote.
                if (measured.Profile.Interior && height > 0 && double.IsFinite(spread))
                    needed.Add((int)Math.Min(int.MaxValue, Math.Ceiling(Math.Pow(spread / (options.ProbeError * height), 2))));
            }
        }
        foreach (var p in parameters) p.grad?.zero_();
        savedParameters.WriteTo(parameters);
        savedState.Restore();

        string note;
        int size;
        if (needed.Count == 0)
        {
            size = poolSize;
            note = "no pilot step had an interior floor; the whole pool is used";
        }
        else
        {
            int median = needed.Order().ElementAt(needed.Count / 2);
            // Whole chunks (the batch-stats loss is defined chunk by chunk), at least one, at most the training split.
            size = Math.Min(train.Count, Math.Max(chunk, (median + chunk - 1) / chunk * chunk));
            note = median > train.Count
                ? $"the target needs {median} samples, more than the training split: the whole split is used"
                : $"median of {needed.Count} pilot steps, rounded up to whole chunks of {chunk}";
        }
        return new ProbeCalibrationResult(size, options.ProbeError, poolSize, WarmupSteps, heights, spreads, needed, note);
    }
}
