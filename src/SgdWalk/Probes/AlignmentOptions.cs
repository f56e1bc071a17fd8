using System.Globalization;
using System.Text.Json.Serialization;

namespace SgdWalk.Probes;

/// <summary>
/// What the gradient-alignment probe measures (docs/curvature.md, `--alignment`): at scheduled steps,
/// V_k = the top-k eigenvectors of the probe-view Hessian (Lanczos), and for each batch size B the energy fraction
/// ‖V_kᵀ g_B‖² / ‖g_B‖² of <see cref="Batches"/> mini-batch gradients drawn from a sample pool disjoint from the probe view.
/// </summary>
public sealed record AlignmentOptions
{
    /// <summary>The defaults, as constants so the command line's attributes can show them.</summary>
    public static class Defaults
    {
        public const string Schedule = "none";
        public const int TopK = 10;
        public const string BatchSizes = "25,100,400";
        public const int Batches = 8;
        public const int EigenIterations = 40;
        public const double EigenTolerance = 1e-2;
    }

    /// <summary>Steps on which the alignment is measured; none by default (V_k costs up to <see cref="EigenIterations"/> HVPs).</summary>
    public RecordSchedule Schedule { get; init; } = RecordSchedule.None;

    /// <summary>k: the dimension of the top eigenspace.</summary>
    public int TopK { get; init; } = Defaults.TopK;

    /// <summary>The mini-batch sizes B whose gradients are projected (one pair of columns each).</summary>
    public IReadOnlyList<int> BatchSizes { get; init; } = [25, 100, 400];

    /// <summary>m: mini-batches drawn per batch size (their mean and its standard error are written).</summary>
    public int Batches { get; init; } = Defaults.Batches;

    /// <summary>Cap on Hessian-vector products of the Lanczos estimate of V_k.</summary>
    public int EigenIterations { get; init; } = Defaults.EigenIterations;

    /// <summary>Relative Ritz-residual tolerance of each of the k Ritz pairs.</summary>
    public double EigenTolerance { get; init; } = Defaults.EigenTolerance;

    /// <summary>Samples per BatchNorm chunk of a gradient batch (a smaller B is one chunk); the default: every batch is one chunk.</summary>
    [JsonIgnore]
    public int ChunkSize { get; init; } = int.MaxValue;

    /// <summary>Seed of the probe's own generator (Lanczos start vectors and the batch draws: one stream).</summary>
    [JsonIgnore]
    public long Seed { get; init; }

    [JsonIgnore]
    public bool Enabled => Schedule is { IsNone: false };

    /// <summary>Every problem, in words naming the property (empty when the options are usable).</summary>
    public IReadOnlyList<string> Validate() => Validate(name => name);

    /// <param name="name">Spells a property's name in messages (the command line passes its --option spelling).</param>
    internal IReadOnlyList<string> Validate(Func<string, string> name)
    {
        var errors = new List<string>();
        void Require(bool ok, string message) { if (!ok) errors.Add(message); }
        Require(Schedule is not null, $"{name("Alignment" + nameof(Schedule))} must be a schedule (RecordSchedule.None for none)");
        Require(TopK >= 1, $"{name("Alignment" + nameof(TopK))} must be at least 1 (got {TopK})");
        Require(BatchSizes is { Count: > 0 } && BatchSizes.All(b => b >= 1) && BatchSizes.Distinct().Count() == BatchSizes.Count,
            $"{name("Alignment" + nameof(BatchSizes))} must list distinct positive batch sizes, e.g. 25,100,400");
        Require(Batches >= 2, $"{name("Alignment" + nameof(Batches))} must be at least 2 (a standard error needs two batches; got {Batches})");
        Require(EigenIterations >= Math.Max(1, TopK) && EigenIterations <= SharpnessOptions.Defaults.MaxEigenIterations,
            $"{name("Alignment" + nameof(EigenIterations))} must be between the top-k ({TopK}) and {SharpnessOptions.Defaults.MaxEigenIterations} (got {EigenIterations})");
        Require(double.IsFinite(EigenTolerance) && EigenTolerance is > 0 and < 1,
            $"{name("Alignment" + nameof(EigenTolerance))} must be in (0, 1) (got {EigenTolerance.ToString("R", CultureInfo.InvariantCulture)})");
        Require(ChunkSize >= 1, $"{name("Alignment" + nameof(ChunkSize))} must be at least 1 (got {ChunkSize})");
        return errors;
    }
}
