using System.Diagnostics;
using System.Globalization;
using SgdWalk.Models;
using SgdWalk.Probes;
using SgdWalk.Sweeps;
using SgdWalk.Training;
using static TorchSharp.torch;

namespace SgdWalk.Experiments;

/// <summary>Seconds per sample of this machine for the plan's model: one training pass (forward + backward) and one forward pass.</summary>
public sealed record StepCosts(double TrainPerSample, double ForwardPerSample);

/// <summary>
/// How long a claims plan takes here, estimated before anything runs: the model's step costs are timed on random
/// inputs of the dataset's shape (no data files needed, so `--scale paper` can say what CIFAR-10 / VGG-11 would cost
/// without CIFAR-10 at hand), then multiplied by what every run does: training passes, profile and floor-path
/// evaluations, floor-sgd line searches, Hessian-vector products, per-epoch evaluation. On a busy machine the timing
/// and so the estimate are high.
/// </summary>
public static class ClaimsBudget
{
    /// <summary>Times a few passes of the plan's model on random inputs of its data's shape.</summary>
    public static StepCosts Measure(TrainOptions options, int batch = 100)
    {
        var (channels, height, width, classes) = Shape(options);
        using var scope = NewDisposeScope();
        if (options.Threads is { } threads) set_num_threads(threads);
        using var model = TorchScriptModel.Names(options.Model)
            ? TorchScriptModel.Load(TorchScriptModel.PathOf(options.Model))
            : ModelZoo.Create(options.Model, new ModelSpec(channels, height, width, classes, options.Hidden, options.ModelBatchNorm, options.Depth));
        var inputs = randn(batch, channels, height, width);
        var targets = randint(classes, [batch], ScalarType.Int64);
        var loss = nn.CrossEntropyLoss();
        model.train();
        double Time(Action pass) => Fastest(() =>
        {
            var clock = Stopwatch.StartNew();
            pass();
            return clock.Elapsed.TotalSeconds;
        }) / batch;
        double train = Time(() =>
        {
            using var inner = NewDisposeScope();
            model.zero_grad();
            loss.forward(model.forward(inputs), targets).backward();
        });
        double forward;
        using (no_grad()) forward = Time(() => { using var inner = NewDisposeScope(); model.forward(inputs); });
        return new StepCosts(train, forward);
    }

    /// <summary>
    /// The seconds one pass costs: the fastest of a few timed passes. On a shared machine the others wait for a core, and
    /// the plan's estimate should say what the work costs, not how busy the machine was at that second.
    /// </summary>
    /// <param name="pass">Runs one pass and returns how long it took.</param>
    internal static double Fastest(Func<double> pass)
    {
        pass(); // warm-up, never counted: the first call pays libtorch's and oneMKL's set-up (a second or more), which
                // once made the same plan's estimate 1 or 24 minutes depending on whether it was timed
        double fastest = pass();
        // A pass of a second or more (VGG-11 on CIFAR-10) needs few repeats beside its length, but never just one: a pass
        // stalled by a busy machine would be taken for the cost (a 16-hour estimate for the mlp's --quick plan, printed
        // under load, fits one forward pass stalled for a second).
        if (fastest >= 1) return Math.Min(fastest, pass());
        double spent = fastest;
        for (int i = 0; i < 20 && (i < 3 || spent < 0.5); i++)
        {
            double seconds = pass();
            fastest = Math.Min(fastest, seconds);
            spent += seconds;
        }
        return fastest;
    }

    /// <summary>Estimated seconds of every run of the plan.</summary>
    public static double Seconds(SweepPlan plan, StepCosts costs) => plan.Cells.Sum(c => Seconds(c.Options, costs));

    /// <summary>
    /// One run of the valley control (ValleyControlPlan): two parameters, so per-call overhead, not the network's
    /// per-sample cost, sets its time (75 steps with profiles took about 1–2 s at --threads 1 on a busy 2-core machine).
    /// </summary>
    public const double ValleyRunSeconds = 2;

    public static double Seconds(TrainOptions o, StepCosts costs)
    {
        if (Records.Claims.ValleyControl.Runs(o.Model)) return ValleyRunSeconds;
        int images = ClaimsPlan.TrainingImages(o);
        int stepsPerEpoch = (int)Math.Ceiling(images / (double)o.BatchSize);
        double steps = o.Steps ?? stepsPerEpoch * o.Epochs;
        var r = o.Recorder;
        int probe = Math.Min(o.ProbeSize ?? images, images), alphas = r.Alphas.Count;
        double seconds = steps * o.BatchSize * costs.TrainPerSample;
        if (r.Probes == ProbePreset.Paper)
        {
            double recorded = Count(r.Record, steps, stepsPerEpoch);
            seconds += recorded * alphas * (probe + o.BatchSize) * costs.ForwardPerSample;
            seconds += FloorSegments(r.Record, r.FloorLags, r.FloorLagOrigin, steps, stepsPerEpoch) * alphas * probe * costs.ForwardPerSample;
            // The random-direction control: one more probe-view profile per recorded step.
            if (r.RandomDirection) seconds += recorded * alphas * probe * costs.ForwardPerSample;
        }
        // floor-sgd / height-sgd: a line search of 21 forwards per step (more when its bracket doubles), on the batch or the probe view.
        if (o.Optimizer != OptimizerKind.Sgd)
            seconds += steps * FloorStep.SearchGrid.Count * (o.FloorView == FloorSearchView.Probe ? probe : o.BatchSize) * costs.ForwardPerSample;
        // A Hessian-vector product costs about two training passes; Lanczos takes up to EigenIterations of them.
        double curvature = Count(r.Sharpness.Schedule, steps, stepsPerEpoch);
        seconds += curvature * (((r.Sharpness.EigenIterations + r.Sharpness.TraceSamples) * probe) + o.BatchSize) * 2 * costs.TrainPerSample;
        // Alignment: Lanczos on the probe view for V_k, then m gradients (one training pass each) per batch size.
        if (r.Alignment is { Enabled: true } a)
            seconds += Count(a.Schedule, steps, stepsPerEpoch) * ((a.EigenIterations * probe * 2) + (a.Batches * a.BatchSizes.Sum())) * costs.TrainPerSample;
        // Per epoch: validation (5,000 by default) and test (10,000) in eval mode.
        seconds += o.Epochs * 15_000 * costs.ForwardPerSample;
        // --stop-loss: the run is estimated at its cap (an upper bound: it usually stops sooner), with a check of the
        // training images outside the probe view every tenth of an epoch and at every epoch end.
        if (o.StopLoss is not null)
        {
            int every = Math.Max(1, stepsPerEpoch / StopCheck.ChecksPerEpoch);
            double checks = Math.Floor(steps / every) + o.Epochs;
            seconds += checks * (images - (probe < images ? probe : 0)) * costs.ForwardPerSample;
        }
        // --end-curvature: once at the end, λ_max's products and the trace's, two training passes each on the probe view.
        if (o.EndCurvature) seconds += (r.Sharpness.EigenIterations + r.Sharpness.TraceSamples) * probe * 2 * costs.TrainPerSample;
        return seconds;
    }

    /// <summary>The floor segments a run profiles: per lag k, the recorded steps t on the lag's grid (<see cref="FloorPathProbe.OnGrid"/>)
    /// whose step t − k was recorded too.</summary>
    internal static double FloorSegments(RecordSchedule schedule, IReadOnlyList<int> lags, int? origin, double steps, int stepsPerEpoch)
    {
        bool Recorded(int step) => step >= 0 && schedule.Includes(step, (step / Math.Max(1, stepsPerEpoch)) + 1);
        int count = 0;
        for (int step = 0; step < steps; step++)
            if (Recorded(step)) count += lags.Count(k => FloorPathProbe.OnGrid(origin, k, step) && Recorded(step - k));
        return count;
    }

    /// <summary>How many of the run's steps a schedule (every:10, steps:0-49+every:10, epochs:1,2, none, ...) selects.</summary>
    internal static double Count(RecordSchedule schedule, double steps, int stepsPerEpoch)
    {
        if (schedule.IsNone) return 0;
        int count = 0;
        for (int step = 0; step < steps; step++)
            if (schedule.Includes(step, (step / Math.Max(1, stepsPerEpoch)) + 1)) count++;
        return count;
    }

    /// <summary>The image shape of the run's data: from an npz file's header, else CIFAR-10 3×32×32, MNIST-like 1×28×28,
    /// synthetic 1×8×8 with 4 classes (known without the data files, so `--scale paper` can be estimated without CIFAR-10).</summary>
    private static (int Channels, int Height, int Width, int Classes) Shape(TrainOptions options)
    {
        if (Data.NpzDataset.IsNpz(options.Dataset, out _) && Data.DataShape.Describe(new Data.DataOptions(options.Dataset, options.DataDir, options.ValidationSize, options.TrainSize, options.Seed)) is { } npz)
            return (npz.Channels, npz.Height, npz.Width, npz.Classes);
        return options.Dataset switch
        {
            "cifar10" => (3, 32, 32, 10),
            "synthetic" => (1, 8, 8, 4),
            "valley" => (1, 1, 2, 2),
            _ => (1, 28, 28, 10),
        };
    }
}
