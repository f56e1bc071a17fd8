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

    /// <summary>
    /// Memory for one pass of a gradient or product under batch statistics: a model whose BatchNorms can group
    /// (<see cref="BatchNormGrouping"/>) takes as many chunks per forward and double backward as fit, each chunk
    /// normalised with its own statistics; 0 = one chunk at a time (the plain computation).
    /// </summary>
    public long PassBytes { get; init; } = 128L << 20;

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
    /// Runs <paramref name="accumulate"/> on each pass's weighted loss and returns the sums. A pass is one chunk, or
    /// under batch statistics with grouped BatchNorm as many chunks as fit <see cref="PassBytes"/>; its loss is the
    /// sum of its chunks' losses weighted by their sizes, so the sums are the same to float rounding. One dispose scope
    /// per product and one per pass, so each pass's graph is freed before the next is built; the sums take detached
    /// values, so no graph outlives its pass.
    /// </summary>
    private ParamVector SumOverChunks(DataView view, Action<Tensor, IReadOnlyList<Tensor>> accumulate)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        bool batchStats = policy == BatchNormPolicy.BatchStats;
        model.train(batchStats);
        using var grouping = batchStats && PassBytes > 0 ? BatchNormGrouping.TryApply(model, view.ChunkSize) : null;
        int passSize = grouping is null ? view.ChunkSize : (int)Math.Min(view.Count, PassBytes / BytesPerSample(view));
        var sums = inputs.Select(p => zeros_like(p)).ToList();
        foreach (var (start, count) in ProfileSession.Passes(view.Count, view.ChunkSize, passSize))
        {
            using var passScope = NewDisposeScope();
            var (x, y) = view.Rows(start, count);
            var outputs = model.call(x);
            var passLoss = Enumerable.Range(0, (count + view.ChunkSize - 1) / view.ChunkSize)
                .Select(c => ChunkLoss(outputs, y, c * view.ChunkSize, Math.Min(view.ChunkSize, count - c * view.ChunkSize), view.Count))
                .Aggregate((a, b) => a.add(b));
            accumulate(passLoss, sums);
        }
        return ParamVector.Of(sums);
    }

    /// <summary>The loss of samples [start, start + n) of a pass, weighted by n / (the view's size).</summary>
    private Tensor ChunkLoss(Tensor outputs, Tensor targets, int start, int n, int total)
    {
        bool whole = start == 0 && n == outputs.shape[0];
        var chunkLoss = loss(whole ? outputs : outputs.narrow(0, start, n), whole ? targets : targets.narrow(0, start, n)).mul(n / (double)total);
        if (chunkLoss.numel() != 1 || !chunkLoss.requires_grad)
            throw new InvalidOperationException("the loss must be a scalar that depends on the trainable parameters");
        return chunkLoss;
    }

    /// <summary>
    /// A generous guess at what a double backward holds per sample: 16 copies of the first layer's output (the
    /// widest activation in the zoo's models), or of the input for a model without the first-layer split.
    /// </summary>
    private long BytesPerSample(DataView view)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (one, _) = view.Rows(0, 1);
        var widest = model is IAffineFirstLayer split ? split.FirstLayer(one) : one;
        return Math.Max(1, 16 * widest.numel() * widest.element_size());
    }

    private void CheckParameters()
    {
        if (inputs.Count == 0 || inputs.Any(p => !p.requires_grad))
            throw new InvalidOperationException("Hessian-vector products need trainable parameters (requires_grad)");
    }
}
