using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>How a Hessian-vector product is computed (`--hvp`).</summary>
public enum HvpMethod
{
    /// <summary>Double backward: exact up to rounding, ≈ 2.5 gradients of cost.</summary>
    Autograd,

    /// <summary>Central difference of two gradients, (∇L(θ+εv) − ∇L(θ−εv)) / 2ε: a fallback and a cross-check.</summary>
    FiniteDifference,
}

/// <summary>
/// Gradients and Hessian-vector products of the loss on a data view at the model's current parameters, under a
/// BatchNorm policy. The view's loss is the sample-weighted mean of its chunks' losses (each chunk normalised with its
/// own statistics under batch-stats), so H·v is the same weighted sum of per-chunk products. Every call leaves the
/// model as it found it: parameters bit for bit, BatchNorm buffers and mode restored, <c>.grad</c> untouched
/// (autograd.grad returns gradients instead of accumulating them).
/// </summary>
public sealed class HessianVectorProduct(
    nn.Module<Tensor, Tensor> model, IReadOnlyList<Parameter> parameters, LossFunction loss, BatchNormPolicy policy,
    HvpMethod method = HvpMethod.Autograd)
{
    private readonly List<Tensor> inputs = parameters.Cast<Tensor>().ToList();

    public HvpMethod Method => method;

    /// <summary>Length of the finite-difference step ε·‖v‖ in parameter space; null = 1e-5 in float64, 1e-2 in float32.</summary>
    public double? FiniteDifferenceStep { get; init; }

    /// <summary>Hessian-vector products computed so far (cost accounting).</summary>
    public long Products { get; private set; }

    /// <summary>∇L_V(θ) at the current parameters.</summary>
    public ParamVector Gradient(DataView view)
    {
        CheckParameters();
        using var saved = ModelState.Capture(model);
        var gradient = GradientHere(view);
        saved.Restore();
        return gradient;
    }

    /// <summary>H_V(θ)·v at the current parameters.</summary>
    public ParamVector Apply(DataView view, ParamVector v)
    {
        CheckParameters();
        if (v.Parts != inputs.Count || v.Flat.dtype != inputs[0].dtype)
            throw new ArgumentException($"the direction has {v.Parts} parts of {v.Flat.dtype}; the model {inputs.Count} parts of {inputs[0].dtype}");
        using var saved = ModelState.Capture(model);
        var product = method == HvpMethod.Autograd ? DoubleBackward(view, v) : FiniteDifference(view, v);
        saved.Restore();
        Products++;
        return product;
    }

    private ParamVector GradientHere(DataView view) => SumOverChunks(view, (chunkLoss, sums) =>
    {
        var grads = torch.autograd.grad([chunkLoss], inputs);
        for (int i = 0; i < sums.Count; i++) sums[i].add_(grads[i].detach());
    });

    private ParamVector DoubleBackward(DataView view, ParamVector v) => SumOverChunks(view, (chunkLoss, sums) =>
    {
        // PyTorch's retain_graph follows create_graph; TorchSharp's does not, so both are passed.
        var grads = torch.autograd.grad([chunkLoss], inputs, retain_graph: true, create_graph: true);
        var gv = grads.Select((g, i) => g.mul(v.Part(i)).sum()).Aggregate((a, b) => a.add(b));
        // A gradient that does not depend on θ (a loss linear in θ) has no second-order graph: H = 0 on this chunk.
        // Checked here because an autograd error aborts the process instead of throwing.
        if (!gv.requires_grad) return;
        var products = torch.autograd.grad([gv], inputs, allow_unused: true);
        for (int i = 0; i < sums.Count; i++)
            if (!products[i].IsInvalid) sums[i].add_(products[i].detach());
    });

    private ParamVector FiniteDifference(DataView view, ParamVector v)
    {
        double norm = v.Norm();
        if (norm == 0) return v.Like(zeros_like(v.Flat));
        double step = FiniteDifferenceStep ?? (v.Flat.dtype == ScalarType.Float64 ? 1e-5 : 1e-2);
        double epsilon = step / norm;
        using var theta = ParamVector.OfValues(parameters);
        ParamVector.WriteLerp(parameters, theta, v, epsilon);
        using var plus = GradientHere(view);
        ParamVector.WriteLerp(parameters, theta, v, -epsilon);
        using var minus = GradientHere(view);
        theta.WriteTo(parameters);
        using var difference = plus.Minus(minus);
        using var _ = no_grad();
        return v.Like(difference.Flat.div(2 * epsilon));
    }

    /// <summary>
    /// Runs <paramref name="accumulate"/> on each chunk's weighted loss and returns the sums. One dispose scope per
    /// product and one per chunk, so each chunk's graph is freed before the next is built; the sums take detached
    /// values, so no graph outlives its chunk.
    /// </summary>
    private ParamVector SumOverChunks(DataView view, Action<Tensor, IReadOnlyList<Tensor>> accumulate)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        model.train(policy == BatchNormPolicy.BatchStats);
        var sums = inputs.Select(p => zeros_like(p)).ToList();
        foreach (var (x, y) in view.Chunks)
        {
            using var chunkScope = NewDisposeScope();
            var chunkLoss = loss(model.call(x), y).mul(x.shape[0] / (double)view.Count);
            if (chunkLoss.numel() != 1 || !chunkLoss.requires_grad)
                throw new InvalidOperationException("the loss must be a scalar that depends on the trainable parameters");
            accumulate(chunkLoss, sums);
        }
        return ParamVector.Of(sums);
    }

    private void CheckParameters()
    {
        if (inputs.Count == 0 || inputs.Any(p => !p.requires_grad))
            throw new InvalidOperationException("Hessian-vector products need trainable parameters (requires_grad)");
    }
}
