using SgdWalk.Landscape;

namespace SgdWalk.Probes;

/// <summary>What the curvature probes measure and how hard they try (README "Metrics", `--sharpness` and friends).</summary>
public sealed record CurvatureOptions
{
    /// <summary>Steps on which λ_max, the trace, step and batch sharpness are measured; none by default (they cost HVPs).</summary>
    public RecordSchedule Schedule { get; init; } = RecordSchedule.None;

    public HvpMethod Hvp { get; init; } = HvpMethod.Autograd;

    public EigenMethod Eigen { get; init; } = EigenMethod.Lanczos;

    /// <summary>Eigenvalues reported: lambda_max, then lambda_2 … lambda_k (Lanczos only).</summary>
    public int TopK { get; init; } = 1;

    /// <summary>Cap on Hessian-vector products per eigen-estimate.</summary>
    public int EigenIterations { get; init; } = 20;

    /// <summary>Relative tolerance of the eigen-estimate (change of the Rayleigh quotient / Ritz residual).</summary>
    public double EigenTolerance { get; init; } = 1e-3;

    /// <summary>Rademacher probes of the Hutchinson trace (0 = no trace).</summary>
    public int TraceSamples { get; init; } = 10;

    /// <summary>Mini-batches drawn from the probe set per batch-sharpness estimate (0 = none).</summary>
    public int BatchSharpnessBatches { get; init; } = 8;

    /// <summary>Size of those mini-batches (the training batch size).</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Seed of the sharpness probe's own generator (trace probes, first start vector).</summary>
    public long Seed { get; init; }

    /// <summary>Seed of the batch-sharpness probe's own generator (its mini-batch draws).</summary>
    public long BatchSharpnessSeed { get; init; } = 1;

    public bool Enabled => !Schedule.IsNone;
}
