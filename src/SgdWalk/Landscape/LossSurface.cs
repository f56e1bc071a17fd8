using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>Mean loss of a batch of model outputs against targets (a scalar tensor).</summary>
public delegate Tensor LossFunction(Tensor outputs, Tensor targets);

/// <summary>The loss of each sample of a batch of model outputs (a [N] tensor), whose mean is the batch's loss.</summary>
public delegate Tensor PerSampleLossFunction(Tensor outputs, Tensor targets);

/// <summary>How BatchNorm layers behave while we evaluate a loss (`--bn`, recorded in run.json).</summary>
public enum BatchNormPolicy
{
    /// <summary>Train mode: each evaluation chunk is normalised with its own statistics (the authors' choice).</summary>
    BatchStats,

    /// <summary>Eval mode: running statistics, interpolated together with the parameters along a segment.</summary>
    Running,

    /// <summary>
    /// Eval mode with running statistics re-estimated at every point of a segment on training data, as the
    /// mode-connectivity literature does between two snapshots (`sgdwalk barrier`); a walk cannot use it.
    /// </summary>
    Recompute,
}

/// <summary>Loss and accuracy of a data view at one point.</summary>
public readonly record struct Evaluation(double Loss, double Accuracy);

/// <summary>
/// Evaluates the loss of a model at its current parameters on a data view, without gradients. It sets the
/// BatchNorm mode the policy asks for but does not restore buffers: callers wrap a whole series of evaluations in
/// one <see cref="ModelState"/> capture/restore, which is cheaper than one per point.
/// </summary>
public sealed class LossSurface(nn.Module<Tensor, Tensor> model, LossFunction loss, BatchNormPolicy policy, PerSampleLossFunction? perSampleLoss = null)
{
    public static readonly LossFunction CrossEntropy = (outputs, targets) => nn.functional.cross_entropy(outputs, targets);

    public static readonly PerSampleLossFunction CrossEntropyPerSample =
        (outputs, targets) => nn.functional.cross_entropy(outputs, targets, reduction: nn.Reduction.None);

    public LossFunction Loss { get; } = loss;

    /// <summary>
    /// The same loss per sample, when known (given, or cross-entropy recognised): it lets profiles report the standard
    /// error of their heights and evaluate many chunks at once. Null for a custom loss given without one.
    /// </summary>
    public PerSampleLossFunction? PerSampleLoss { get; } = perSampleLoss ?? (ReferenceEquals(loss, CrossEntropy) ? CrossEntropyPerSample : null);

    public nn.Module<Tensor, Tensor> Model { get; } = model;

    public BatchNormPolicy Policy { get; } = policy;

    public Evaluation Evaluate(DataView view) => Evaluate(view, (_, inputs) => Model.call(inputs));

    /// <summary>Evaluates with a custom forward pass per chunk (given the chunk's index and inputs).</summary>
    public Evaluation Evaluate(DataView view, Func<int, Tensor, Tensor> forward)
    {
        Model.train(Policy == BatchNormPolicy.BatchStats);
        using var _ = no_grad();
        double lossSum = 0;
        long correct = 0;
        bool classification = true;
        for (int chunk = 0; chunk < view.Chunks.Count; chunk++)
        {
            var (inputs, targets) = view.Chunks[chunk];
            using var scope = NewDisposeScope();
            var outputs = forward(chunk, inputs);
            long n = inputs.shape[0];
            lossSum += Loss(outputs, targets).to(ScalarType.Float64).item<double>() * n;
            classification &= outputs.dim() == 2 && targets.dtype == ScalarType.Int64;
            if (classification) correct += outputs.argmax(1).eq(targets).sum().item<long>();
        }
        return new Evaluation(lossSum / view.Count, classification ? (double)correct / view.Count : double.NaN);
    }
}
