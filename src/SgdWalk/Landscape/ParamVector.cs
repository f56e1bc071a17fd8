using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// A point or direction in parameter space: the trainable parameters concatenated into one flat tensor.
/// This is the one vocabulary for parameter-space arithmetic (dot, norm, cosine, distance, lerp, "write θ + αd into
/// the model"); probes never loop over model.parameters() themselves. Owns its tensor: dispose it, or keep it
/// across steps knowing it is outside every dispose scope.
/// </summary>
public sealed class ParamVector : IDisposable
{
    private readonly long[][] shapes;
    private readonly long[] offsets;

    private ParamVector(Tensor flat, long[][] shapes)
    {
        Flat = flat;
        this.shapes = shapes;
        offsets = new long[shapes.Length + 1];
        for (int i = 0; i < shapes.Length; i++)
            offsets[i + 1] = offsets[i] + shapes[i].Aggregate(1L, (a, b) => a * b);
    }

    /// <summary>The flat 1-D tensor (read it, do not keep it past this vector's lifetime).</summary>
    public Tensor Flat { get; }

    public long Length => Flat.shape[0];

    public int Parts => shapes.Length;

    /// <summary>Copies the given tensors (detached) into a new vector.</summary>
    public static ParamVector Of(IReadOnlyList<Tensor> tensors)
    {
        if (tensors.Count == 0) throw new ArgumentException("a parameter vector needs at least one tensor");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var flat = cat(tensors.Select(t => t.detach().reshape(-1)).ToList(), 0);
        if (tensors.Count == 1) flat = flat.clone(); // cat of one tensor may alias it
        return new ParamVector(flat.MoveToOuterDisposeScope().DetachFromDisposeScope(), tensors.Select(t => t.shape).ToArray());
    }

    /// <summary>Copies the given tensors (detached, shaped as this vector's parts) into this vector, in place: no new storage.</summary>
    public void CopyFrom(IReadOnlyList<Tensor> tensors)
    {
        if (tensors.Count != shapes.Length) throw new ArgumentException($"{tensors.Count} tensors for a vector of {shapes.Length} parts");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        for (int i = 0; i < shapes.Length; i++)
            Part(i).copy_(tensors[i].detach());
    }

    /// <summary>θ: the current values of the given (trainable) parameters.</summary>
    public static ParamVector OfValues(IReadOnlyList<Parameter> parameters) => Of(parameters.Cast<Tensor>().ToList());

    /// <summary>∇: the gradients accumulated in the given parameters (zeros where a parameter has none).</summary>
    public static ParamVector OfGradients(IReadOnlyList<Parameter> parameters) =>
        Of(parameters.Select(p => p.grad ?? zeros_like(p)).ToList());

    public double Dot(ParamVector other)
    {
        CheckCompatible(other);
        using var scope = NewDisposeScope();
        // BLAS dot in the working precision: one fused pass, no temporary. Its vectorised partial sums keep the error
        // near 1e-6 relative in float32 for a million terms (tested), plenty for norms and cosines. A float64 sum of
        // the products (cast element by element) was 10× slower and was the cheap probes' dominant cost.
        return Flat.dot(other.Flat).to(ScalarType.Float64).item<double>();
    }

    public double Norm() => Math.Sqrt(Dot(this));

    public static double Cosine(ParamVector a, ParamVector b) => Cosine(a.Dot(b), a.Norm(), b.Norm());

    /// <summary>The cosine from a dot product and the two norms (for callers that already know the norms); NaN for a zero vector.</summary>
    public static double Cosine(double dot, double normA, double normB)
    {
        double denominator = normA * normB;
        return denominator == 0 ? double.NaN : Math.Clamp(dot / denominator, -1.0, 1.0);
    }

    public static double Distance(ParamVector a, ParamVector b)
    {
        a.CheckCompatible(b);
        using var scope = NewDisposeScope();
        var difference = a.Flat.sub(b.Flat);
        return Math.Sqrt(difference.dot(difference).to(ScalarType.Float64).item<double>());
    }

    /// <summary>this − other, as a new vector.</summary>
    public ParamVector Minus(ParamVector other)
    {
        CheckCompatible(other);
        using var _ = no_grad();
        return new ParamVector(Flat.sub(other.Flat).DetachFromDisposeScope(), shapes);
    }

    /// <summary>this + α·other, as a new vector.</summary>
    public ParamVector PlusScaled(ParamVector other, double alpha)
    {
        CheckCompatible(other);
        using var _ = no_grad();
        return new ParamVector(Flat.add(other.Flat, alpha).DetachFromDisposeScope(), shapes);
    }

    /// <summary>A vector with this one's layout that takes ownership of <paramref name="flat"/> (same length and dtype).</summary>
    public ParamVector Like(Tensor flat)
    {
        if (flat.dim() != 1 || flat.shape[0] != Length || flat.dtype != Flat.dtype)
            throw new ArgumentException($"a flat tensor of {Length} {Flat.dtype} values is needed (got shape [{string.Join(", ", flat.shape)}], {flat.dtype})");
        return new ParamVector(flat.DetachFromDisposeScope(), shapes);
    }

    /// <summary>A copy that owns its own storage.</summary>
    public ParamVector Clone()
    {
        using var _ = no_grad();
        return new ParamVector(Flat.clone().DetachFromDisposeScope(), shapes);
    }

    /// <summary>this += α·other, in place.</summary>
    public void AddScaledInPlace(ParamVector other, double alpha)
    {
        CheckCompatible(other);
        using var _ = no_grad();
        Flat.add_(other.Flat, alpha);
    }

    /// <summary>Writes this point into the parameters, in place (the parameters keep their own storage).</summary>
    public void WriteTo(IReadOnlyList<Parameter> parameters)
    {
        CheckParameters(parameters);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        for (int i = 0; i < shapes.Length; i++)
            parameters[i].copy_(Part(i));
    }

    /// <summary>Writes start + α·direction into the parameters, in place: "evaluate the model at θ + αd".</summary>
    public static void WriteLerp(IReadOnlyList<Parameter> parameters, ParamVector start, ParamVector direction, double alpha)
    {
        start.CheckCompatible(direction);
        start.CheckParameters(parameters);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        for (int i = 0; i < start.shapes.Length; i++)
            parameters[i].copy_(start.Part(i)).add_(direction.Part(i), alpha);
    }

    /// <summary>Part i, shaped like the i-th parameter (a view into the flat tensor).</summary>
    public Tensor Part(int i) => Flat.narrow(0, offsets[i], offsets[i + 1] - offsets[i]).view(shapes[i]);

    /// <summary>The values as doubles (tests and small exports).</summary>
    public double[] ToArray()
    {
        using var scope = NewDisposeScope();
        return Flat.to(ScalarType.Float64).data<double>().ToArray();
    }

    private void CheckCompatible(ParamVector other)
    {
        if (other.Length != Length || other.Parts != Parts)
            throw new ArgumentException($"parameter vectors differ in size ({Length} in {Parts} parts vs {other.Length} in {other.Parts})");
    }

    private void CheckParameters(IReadOnlyList<Parameter> parameters)
    {
        if (parameters.Count != shapes.Length)
            throw new ArgumentException($"the model has {parameters.Count} trainable parameters, the vector {shapes.Length}");
    }

    public void Dispose() => Flat.Dispose();
}
