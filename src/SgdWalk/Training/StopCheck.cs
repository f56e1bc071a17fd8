using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Probes;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>
/// `--stop-loss L`: is the run's training loss at most L yet? Checked every <see cref="Every"/> steps (a tenth of an
/// epoch, <see cref="ChecksPerEpoch"/>) and at every epoch's end, so a run stops at most a tenth of an epoch after it
/// first reaches L. The loss is the mean cross-entropy over the training images outside the probe view, in eval mode
/// (running BatchNorm statistics, as epochs.csv evaluates): floor-sgd's line search with --floor-view probe minimises
/// the probe view's loss, so a loss on the probe view would reach L sooner for it than for SGD at the same fit. When the
/// probe view is the whole split there is nothing outside it, and the whole split is used (run.json says which).
/// </summary>
internal sealed class StopCheck : IDisposable
{
    /// <summary>Checks per epoch, pre-stated: a run stops at most a tenth of an epoch after it first reaches the target.</summary>
    public const int ChecksPerEpoch = 10;

    private readonly nn.Module<Tensor, Tensor> model;
    private readonly LossSurface evaluator;
    private readonly DataView view;
    private readonly double target;
    private readonly string viewName;

    public StopCheck(nn.Module<Tensor, Tensor> model, LabeledImages train, long[] probeIndices, Device device, int chunkSize, double target, int stepsPerEpoch)
    {
        this.model = model;
        this.target = target;
        evaluator = new LossSurface(model, LossSurface.CrossEntropy, BatchNormPolicy.Running);
        var outside = SamplePool.Complement(train.Count, probeIndices);
        viewName = outside.Length > 0 ? "outside-probe" : "whole-split";
        var indices = outside.Length > 0 ? outside : [.. Enumerable.Range(0, train.Count).Select(i => (long)i)];
        using var scope = NewDisposeScope(); // frees the handles `to` returns; the view keeps its clones
        using var rows = train.Select(indices);
        view = DataView.Own("stop-check", rows.Inputs().to(device), rows.Labels.to(device).clone(), chunkSize);
        Every = Math.Max(1, stepsPerEpoch / ChecksPerEpoch);
        Record = new LossTarget { Target = target, View = viewName, Images = indices.Length, CheckEvery = Every };
    }

    /// <summary>Steps between two checks.</summary>
    public int Every { get; }

    /// <summary>The target and the outcome of the latest check (run.json's stop_loss).</summary>
    public LossTarget Record { get; private set; }

    /// <summary>Is <paramref name="step"/> (steps taken so far) a mid-epoch check? Every epoch's end is checked as well.</summary>
    public bool Due(int step) => step % Every == 0;

    /// <summary>Measures the loss at the model's current weights (leaving the model as it was); true when it is at most the target.</summary>
    public bool Reached(int step)
    {
        using var state = ModelState.Capture(model);
        var result = evaluator.Evaluate(view);
        state.Restore();
        bool reached = result.Loss <= target;
        Record = Record with { Reached = reached, Step = step, Loss = result.Loss, Accuracy = result.Accuracy };
        return reached;
    }

    public void Dispose() => view.Dispose();
}
