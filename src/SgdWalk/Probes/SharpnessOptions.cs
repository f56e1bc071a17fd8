using System.Globalization;
using System.Text.Json.Serialization;
using SgdWalk.Landscape;

namespace SgdWalk.Probes;

/// <summary>
/// What the sharpness probes measure and how hard they try (docs/curvature.md, `--sharpness` and friends): one name,
/// sharpness, for the option, this record (<see cref="RecorderOptions.Sharpness"/>) and run.json's key.
/// This record is the one definition of each knob: its default (<see cref="Defaults"/>, which the command line's
/// help shows too) and its check (<see cref="Validate()"/>).
/// </summary>
public sealed record SharpnessOptions
{
    /// <summary>The defaults, as constants so the command line's attributes can show them.</summary>
    public static class Defaults
    {
        public const string Schedule = "none";
        public const string Hvp = "autograd";
        public const string Eigen = "lanczos";
        public const int TopK = 1;
        public const int EigenIterations = 20;
        public const double EigenTolerance = 1e-3;
        public const int TraceSamples = 10;
        public const int BatchSharpnessBatches = 8;
        public const int MaxEigenIterations = 1000;
    }

    /// <summary>Steps on which λ_max, the trace, step and batch sharpness are measured; none by default (they cost HVPs).</summary>
    public RecordSchedule Schedule { get; init; } = RecordSchedule.None;

    public HvpMethod Hvp { get; init; } = HvpMethod.Autograd;

    public EigenMethod Eigen { get; init; } = EigenMethod.Lanczos;

    /// <summary>Eigenvalues reported: lambda_max, then lambda_2 … lambda_k (Lanczos only).</summary>
    public int TopK { get; init; } = Defaults.TopK;

    /// <summary>Cap on Hessian-vector products per eigen-estimate.</summary>
    public int EigenIterations { get; init; } = Defaults.EigenIterations;

    /// <summary>Relative tolerance of the eigen-estimate (change of the Rayleigh quotient / Ritz residual).</summary>
    public double EigenTolerance { get; init; } = Defaults.EigenTolerance;

    /// <summary>Rademacher probes of the Hutchinson trace (0 = no trace).</summary>
    public int TraceSamples { get; init; } = Defaults.TraceSamples;

    /// <summary>Mini-batches drawn from the probe set per batch-sharpness estimate (0 = none).</summary>
    public int BatchSharpnessBatches { get; init; } = Defaults.BatchSharpnessBatches;

    /// <summary>Size of those mini-batches (the training batch size).</summary>
    [JsonIgnore]
    public int BatchSize { get; init; } = 100;

    /// <summary>Seed of the sharpness probe's own generator (trace probes, first start vector).</summary>
    [JsonIgnore]
    public long Seed { get; init; }

    /// <summary>Seed of the batch-sharpness probe's own generator (its mini-batch draws).</summary>
    [JsonIgnore]
    public long BatchSharpnessSeed { get; init; } = 1;

    /// <summary>Seed of `--end-curvature`'s own generator (its start vector and trace probes at the final weights).</summary>
    [JsonIgnore]
    public long EndCurvatureSeed { get; init; } = 2;

    [JsonIgnore]
    public bool Enabled => !Schedule.IsNone;

    /// <summary>Every problem, in words naming the property (empty when the options are usable).</summary>
    public IReadOnlyList<string> Validate() => Validate(name => name);

    /// <param name="name">Spells a property's name in messages (the command line passes its --option spelling).</param>
    internal IReadOnlyList<string> Validate(Func<string, string> name)
    {
        var errors = new List<string>();
        void Require(bool ok, string message) { if (!ok) errors.Add(message); }
        Require(Schedule is not null, $"{name(nameof(Schedule))} must be a schedule (RecordSchedule.None for none)");
        Require(Enum.IsDefined(Hvp), $"{name(nameof(Hvp))} must be autograd or finite-difference (got {Hvp})");
        Require(Enum.IsDefined(Eigen), $"{name(nameof(Eigen))} must be lanczos or power (got {Eigen})");
        Require(TopK >= 1, $"{name(nameof(TopK))} must be at least 1 (got {TopK})");
        Require(TopK == 1 || Eigen == EigenMethod.Lanczos, $"{name(nameof(TopK))} above 1 needs {name(nameof(Eigen))} lanczos (power iteration finds one eigenvalue)");
        Require(EigenIterations >= Math.Max(1, TopK) && EigenIterations <= Defaults.MaxEigenIterations,
            $"{name(nameof(EigenIterations))} must be between {name(nameof(TopK))} and {Defaults.MaxEigenIterations} (got {EigenIterations})");
        Require(double.IsFinite(EigenTolerance) && EigenTolerance is > 0 and < 1,
            $"{name(nameof(EigenTolerance))} must be in (0, 1) (got {EigenTolerance.ToString("R", CultureInfo.InvariantCulture)})");
        Require(TraceSamples == 0 || TraceSamples >= 2, $"{name(nameof(TraceSamples))} must be 0 (no trace) or at least 2 (got {TraceSamples})");
        Require(BatchSharpnessBatches >= 0, $"{name(nameof(BatchSharpnessBatches))} must not be negative (got {BatchSharpnessBatches})");
        Require(BatchSize >= 1, $"{name(nameof(BatchSize))} must be at least 1 (got {BatchSize})");
        return errors;
    }
}
