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
        var (channels, height, width, classes) = Shape(options.Dataset);
        using var scope = NewDisposeScope();
        if (options.Threads is { } threads) set_num_threads(threads);
        var model = ModelZoo.Create(options.Model, new ModelSpec(channels, height, width, classes, options.Hidden, options.ModelBatchNorm, options.Depth));
        var inputs = randn(batch, channels, height, width);
        var targets = randint(classes, [batch], ScalarType.Int64);
        var loss = nn.CrossEntropyLoss();
        model.train();
        // The fastest of a few passes: on a shared machine the others wait for a core, and the plan's estimate should
        // say what the work costs, not how busy the machine was at this second.
        double Time(Action pass)
        {
            var clock = Stopwatch.StartNew();
            pass(); // warm-up: first-call allocations
            // A pass of a second or more (VGG-11 on CIFAR-10) is its own measurement: first-call costs are small beside it.
            if (clock.Elapsed.TotalSeconds >= 1) return clock.Elapsed.TotalSeconds / batch;
            double fastest = double.PositiveInfinity;
            var budget = Stopwatch.StartNew();
            for (int i = 0; i < 20 && (i < 3 || budget.Elapsed.TotalSeconds < 0.5); i++)
            {
                clock.Restart();
                pass();
                fastest = Math.Min(fastest, clock.Elapsed.TotalSeconds);
            }
            return fastest / batch;
        }
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

    /// <summary>Estimated seconds of every run of the plan.</summary>
    public static double Seconds(SweepPlan plan, StepCosts costs) => plan.Cells.Sum(c => Seconds(c.Options, costs));

    public static double Seconds(TrainOptions o, StepCosts costs)
    {
        int images = ClaimsPlan.TrainingImages(o);
        double steps = o.Steps ?? Math.Ceiling(images / (double)o.BatchSize) * o.Epochs;
        int probe = Math.Min(o.ProbeSize ?? images, images), alphas = o.Alphas.Count;
        double seconds = steps * o.BatchSize * costs.TrainPerSample;
        if (o.Probes == ProbePreset.Paper)
        {
            double recorded = Count(o.Record, steps);
            seconds += recorded * alphas * (probe + o.BatchSize) * costs.ForwardPerSample;
            if (o.FloorLags.Count > 0) seconds += recorded * o.FloorLags.Count * alphas * probe * costs.ForwardPerSample;
        }
        // floor-sgd / height-sgd: a line search of 21 forwards per step (more when its bracket doubles).
        if (o.Optimizer != OptimizerKind.Sgd) seconds += steps * FloorStep.SearchGrid.Count * o.BatchSize * costs.ForwardPerSample;
        // A Hessian-vector product costs about two training passes; Lanczos takes up to EigenIterations of them.
        double curvature = Count(o.Sharpness, steps);
        seconds += curvature * (((o.EigenIterations + o.TraceSamples) * probe) + o.BatchSize) * 2 * costs.TrainPerSample;
        // Alignment: Lanczos on the probe view for V_k, then m gradients (one training pass each) per batch size.
        if (o.Alignment is { } a)
            seconds += Count(a.Schedule, steps) * ((a.EigenIterations * probe * 2) + (a.Batches * a.BatchSizes.Sum())) * costs.TrainPerSample;
        // Per epoch: validation (5,000 by default) and test (10,000) in eval mode.
        seconds += o.Epochs * 15_000 * costs.ForwardPerSample;
        return seconds;
    }

    /// <summary>How many steps a schedule such as every:10 or none selects (others: every step, an upper bound).</summary>
    private static double Count(string schedule, double steps) =>
        schedule == "none" ? 0
        : schedule.StartsWith("every:", StringComparison.Ordinal) && int.TryParse(schedule[6..], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            ? Math.Ceiling(steps / n) : steps;

    /// <summary>The image shape of a dataset: CIFAR-10 3×32×32, MNIST-like 1×28×28, synthetic 1×8×8 with 4 classes.</summary>
    private static (int Channels, int Height, int Width, int Classes) Shape(string dataset) => dataset switch
    {
        "cifar10" => (3, 32, 32, 10),
        "synthetic" => (1, 8, 8, 4),
        _ => (1, 28, 28, 10),
    };
}
