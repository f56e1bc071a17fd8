using System.Globalization;

namespace SgdWalk.Records;

/// <summary>
/// The column names of a run folder's CSV files (docs/metrics.md, docs/barriers.md, docs/run-folder.md). The probes that
/// write steps.csv and profiles.csv, the summaries and the figures that read them all name columns through here.
/// </summary>
public static class Columns
{
    // steps.csv: every step.
    public const string Step = "step", Epoch = "epoch", LearningRate = "lr", BatchSize = "batch_size", TrainLoss = "train_loss";
    public const string GradientNorm = "grad_norm", StepNorm = "step_norm", DistanceFromInit = "dist_init";
    public const string CosineGradient = "cos_grad", CosineUpdate = "cos_update";

    /// <summary>The columns every row has, whatever is measured.</summary>
    public static IReadOnlyList<string> EveryStep { get; } = [Step, Epoch, LearningRate, BatchSize, TrainLoss];

    // steps.csv: the segment profile of one data view, named "{view}_{suffix}".
    public const string BatchView = "batch", ProbeView = "probe", RandomView = "random";
    public const string LossStart = "loss_start", LossEnd = "loss_end", FloorAlpha = "floor_alpha", FloorLoss = "floor_loss";
    public const string Height = "height", HeightStandardError = "height_se", HeightEnd = "height_end";
    public const string Interior = "interior", Nonconvexity = "nonconvexity", Bump = "bump";

    /// <summary>The suffixes of one view's profile columns, in file order.</summary>
    public static IReadOnlyList<string> ProfileSuffixes { get; } =
        [LossStart, LossEnd, FloorAlpha, FloorLoss, Height, HeightStandardError, HeightEnd, Interior, Nonconvexity, Bump];

    /// <summary>A profile is "roughly convex" (the paper's word) when its <see cref="Nonconvexity"/> is at most this.</summary>
    public const double RoughlyConvexThreshold = 0.05;

    public static string OfView(string view, string suffix) => $"{view}_{suffix}";

    /// <summary>The view whose profile a column such as <c>probe_interior</c> belongs to, or null.</summary>
    public static string? ViewOf(string column, string suffix) =>
        column.EndsWith("_" + suffix, StringComparison.Ordinal) ? column[..^(suffix.Length + 1)] : null;

    // steps.csv: curvature (--sharpness).
    public const string LambdaMax = "lambda_max", Trace = "trace", TraceStandardError = "trace_se";
    public const string StepSharpness = "step_sharpness", FloorAlphaPredicted = "floor_alpha_predicted", FloorAlphaResidual = "floor_alpha_residual";
    public const string BatchSharpness = "batch_sharpness", BatchSharpnessStandardError = "batch_sharpness_se";

    /// <summary>The i-th eigenvalue (i ≥ 2; the first is <see cref="LambdaMax"/>).</summary>
    public static string Lambda(int i) => "lambda_" + i.ToString(CultureInfo.InvariantCulture);

    // steps.csv: gradient alignment (--alignment): the share of a mini-batch gradient's energy in the top-k Hessian eigenspace.
    public const string AlignmentPrefix = "align_k";

    /// <summary>Mean over the drawn batches of ‖V_kᵀ g_B‖² / ‖g_B‖² at batch size B, e.g. <c>align_k10_b25</c>.</summary>
    public static string Alignment(int k, int batchSize) =>
        AlignmentPrefix + k.ToString(CultureInfo.InvariantCulture) + "_b" + batchSize.ToString(CultureInfo.InvariantCulture);

    /// <summary>The standard error of that mean over the drawn batches, e.g. <c>align_k10_b25_se</c>.</summary>
    public static string AlignmentStandardError(int k, int batchSize) => Alignment(k, batchSize) + "_se";

    /// <summary>Whether the Lanczos estimate of V_k met its tolerance (1) or stopped at the iteration cap (0), e.g. <c>align_k10_converged</c>.</summary>
    public static string AlignmentConverged(int k) => AlignmentPrefix + k.ToString(CultureInfo.InvariantCulture) + "_converged";

    /// <summary>(k, B) of an <see cref="Alignment"/> mean column, or null for any other column (its _se, _converged, ...).</summary>
    public static (int K, int BatchSize)? AlignmentOf(string column)
    {
        if (!column.StartsWith(AlignmentPrefix, StringComparison.Ordinal)) return null;
        var parts = column[AlignmentPrefix.Length..].Split("_b");
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int b) ? (k, b) : null;
    }

    // steps.csv: the floor search of floor-sgd / height-sgd: the α of the point the step landed on.
    public const string FloorStepAlpha = "floor_step_alpha";

    // steps.csv: the floor path (--floor-lags).
    public const string FloorBarrierPrefix = "floor_barrier_k";

    public static string FloorBarrier(int lag) => FloorBarrierPrefix + lag.ToString(CultureInfo.InvariantCulture);

    public static string FloorBarrierAlpha(int lag) => FloorBarrier(lag) + "_alpha";

    /// <summary>The lag of a <see cref="FloorBarrier"/> column, or 0 for any other column.</summary>
    public static int LagOf(string column) =>
        column.StartsWith(FloorBarrierPrefix, StringComparison.Ordinal)
        && int.TryParse(column[FloorBarrierPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int lag) ? lag : 0;

    /// <summary>The profiles.csv view under which the floor segments of one lag are written.</summary>
    public static string FloorPathView(int lag) => FloorPathViewPrefix + lag.ToString(CultureInfo.InvariantCulture);

    public const string FloorPathViewPrefix = "floor-k";

    // profiles.csv.
    public const string View = "view", Alpha = "alpha", Loss = "loss", Accuracy = "accuracy";

    public static IReadOnlyList<string> Profiles { get; } = [Step, View, Alpha, Loss, Accuracy];

    // epochs.csv: the mean angle (radians) between each parameter tensor and its θ_0, and the share of validation images
    // whose predicted class differs from θ_0's (claim 3a's distances beside ‖θ − θ_0‖).
    public const string AngleFromInit = "angle_init", DisagreementWithInit = "disagree_init";

    // epochs.csv (besides step, epoch and train_loss).
    public const string TrainAccuracy = "train_acc", ValidationLoss = "val_loss", ValidationAccuracy = "val_acc";
    public const string TestLoss = "test_loss", TestAccuracy = "test_acc", WallSeconds = "wall_s";

    /// <summary>summary.csv of a sweep folder (docs/scaling-out.md).</summary>
    public static class Sweep
    {
        public const string Cell = "cell", Status = "status", LearningRate = "learning_rate", Seed = "seed";
        public const string LearningRateBatchRatio = "lr_batch_ratio", RatioGroup = "ratio_group", Steps = "steps", Epochs = "epochs";
        public const string MedianHeight = "median_height", MeanHeight = "mean_height", InteriorFraction = "interior_fraction";
        public const string MedianCosineGradient = "median_cos_grad", FinalDistanceFromInit = "final_dist_init";
        public const string EqualSteps = "equal_steps", DistanceAtEqualSteps = "dist_init_equal_steps";
        public const string FinalTrainAccuracy = "final_train_acc", FinalValidationAccuracy = "final_val_acc", FinalTestAccuracy = "final_test_acc";
        public const string GeneralisationGap = "generalisation_gap";

        public static string DistanceAtEpoch(int epoch) => "dist_init_epoch_" + epoch.ToString(CultureInfo.InvariantCulture);
    }
}
