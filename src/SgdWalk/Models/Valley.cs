using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// A network-free landscape with a known corrugated floor, the positive control of claim 4a (docs/claims.md,
/// "Controls"): two parameters θ = (x, y) and, for a sample carrying the noise ξ = (ξ_x, ξ_y) (the `valley` dataset),
/// L_i(θ) = a·y²/2 + b·sin(x/ℓ) − c·x + ξ·θ. The dataset's ξ has mean exactly zero over the training split, so the
/// training (and full probe-view) loss is L(θ) = a·y²/2 + b·sin(x/ℓ) − c·x: a valley across y whose floor runs down x
/// over a barrier every period 2πℓ (c &lt; b/ℓ), or a straight tilted floor when b = 0 (`valley-flat`). Mini-batches
/// see a random linear tilt, which is SGD's gradient noise.
/// The trainer's loss is cross-entropy, so the model returns the logits [0, z_i] with z_i = L_i(θ) + <see cref="Offset"/>
/// for the target class 0: their cross-entropy is softplus(z_i) = z_i + ln(1 + e^{−z_i}), which equals z_i to float32
/// precision while z_i ≥ 17 (e^{−17} ≈ 4e-8) and is monotone in it anyway; the offset keeps every sample there while
/// |θ| stays below about 700 (the largest |ξ_i| of the 500 samples is about 0.9; the runs of `claims` end within about 500). So the
/// training loss is L(θ) + 1000: the same floors, barriers and heights along any line.
/// </summary>
public sealed class Valley : nn.Module<Tensor, Tensor>
{
    /// <summary>a: the curvature across the valley (y). SGD at η = 1.5 bounces across it (η·a = 1.5, between 1 and 2).</summary>
    public const double Curvature = 1;

    /// <summary>b of the corrugated valley: the floor's sine bumps, 2b from trough to crest.</summary>
    public const double Corrugation = 4;

    /// <summary>ℓ: the corrugation's period is 2πℓ along x.</summary>
    public const double Length = 1;

    /// <summary>c: the floor's downhill tilt along x (c &lt; b/ℓ: every period holds a barrier on the floor).</summary>
    public const double Tilt = 0.5;

    /// <summary>K: added to every sample's L_i so that the cross-entropy is L_i + K (see the class comment).</summary>
    public const double Offset = 1000;

    private readonly double corrugation;
    private readonly TorchSharp.Modules.Parameter x, y;

    /// <param name="corrugation">b: <see cref="Corrugation"/> for `valley`, 0 for `valley-flat`.</param>
    public Valley(ModelSpec spec, double corrugation) : base(nameof(Valley))
    {
        if ((long)spec.Channels * spec.Height * spec.Width != 2 || spec.Classes != 2)
            throw new ArgumentException($"valley: needs the valley dataset (2 noise values per sample, 2 classes); got {spec.Channels}x{spec.Height}x{spec.Width} with {spec.Classes} classes");
        this.corrugation = corrugation;
        // θ_0 from torch's seeded global generator: anywhere along one period, somewhere on the valley's walls.
        x = nn.Parameter(rand(1, dtype: ScalarType.Float32).mul_(2 * Math.PI * Length));
        y = nn.Parameter(randn(1, dtype: ScalarType.Float32));
        RegisterComponents();
    }

    /// <summary>L_i(θ) of every sample (no offset): input [N, 1, 1, 2] holding ξ_i.</summary>
    public Tensor Landscape(Tensor input)
    {
        using var scope = NewDisposeScope();
        var noise = input.flatten(1); // [N, 1, 1, 2] -> [N, 2]
        var floor = (x / Length).sin().mul(corrugation).sub(x.mul(Tilt)).add(y.square().mul(Curvature / 2)); // [1]
        return (noise[.., 0] * x + noise[.., 1] * y + floor).MoveToOuterDisposeScope(); // [N]
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var z = Landscape(input).add(Offset);
        return stack([zeros_like(z), z], 1).MoveToOuterDisposeScope(); // [N, 2]: cross-entropy of class 0 is softplus(z)
    }
}
