using SgdWalk.Records;

namespace SgdWalk.Landscape;

/// <summary>
/// The shape of f(α) = L(θ_t + α·u_t) sampled on a grid, reduced to the paper's quantities (docs/metrics.md).
/// Plain arithmetic on the sampled values, so it is tested against closed forms with no model involved.
/// NaN marks what the grid cannot tell (e.g. height_end when α = 1 was not sampled).
/// </summary>
public sealed record SegmentProfile(
    IReadOnlyList<double> Alphas,
    IReadOnlyList<double> Losses,
    double LossStart,
    double LossEnd,
    double FloorAlpha,
    double FloorLoss,
    double Height,
    double HeightEnd,
    bool Interior,
    double Nonconvexity,
    double Bump,
    double BumpAlpha)
{
    /// <summary>Relative tolerance below which a floor does not count as "strictly inside" (float32 evaluation noise is ~1e-7).</summary>
    public const double DefaultInteriorTolerance = 1e-5;

    public static SegmentProfile Analyse(IReadOnlyList<double> alphas, IReadOnlyList<double> losses,
        double interiorTolerance = DefaultInteriorTolerance)
    {
        int n = alphas.Count;
        if (n < 3 || losses.Count != n) throw new ArgumentException("a profile needs at least three (alpha, loss) points");
        for (int i = 1; i < n; i++)
            if (!(alphas[i] > alphas[i - 1])) throw new ArgumentException("profile alphas must be strictly increasing");

        double start = At(alphas, losses, 0.0), end = At(alphas, losses, 1.0);

        int argmin = 0;
        for (int i = 1; i < n; i++) if (losses[i] < losses[argmin]) argmin = i;
        (double floorAlpha, double floorLoss) = argmin > 0 && argmin < n - 1
            ? ParabolaVertex(alphas[argmin - 1], losses[argmin - 1], alphas[argmin], losses[argmin], alphas[argmin + 1], losses[argmin + 1])
            : (alphas[argmin], losses[argmin]);

        double tolerance = interiorTolerance * Math.Max(1.0, Math.Abs(start));
        bool interior = floorAlpha > 0 && floorAlpha < 1 && floorLoss < start - tolerance && floorLoss < end - tolerance;

        double max = losses.Max(), min = losses.Min();
        double worstConcavity = 0;
        for (int i = 1; i < n - 1; i++)
        {
            // How far f_i sits above the chord of its neighbours, doubled so that on a uniform grid this is exactly
            // the negated second difference f_{i-1} − 2f_i + f_{i+1}.
            double w = (alphas[i + 1] - alphas[i]) / (alphas[i + 1] - alphas[i - 1]);
            double chord = w * losses[i - 1] + (1 - w) * losses[i + 1];
            worstConcavity = Math.Max(worstConcavity, 2 * (losses[i] - chord));
        }
        double nonconvexity = max > min ? worstConcavity / (max - min) : 0;

        double bump = double.NaN, bumpAlpha = double.NaN;
        if (!double.IsNaN(start) && !double.IsNaN(end))
        {
            int peak = Enumerable.Range(0, n).Where(i => alphas[i] >= 0 && alphas[i] <= 1).MaxBy(i => losses[i]);
            bump = losses[peak] - Math.Max(start, end);
            bumpAlpha = alphas[peak];
        }

        return new SegmentProfile(alphas, losses, start, end, floorAlpha, floorLoss,
            start - floorLoss, end - floorLoss, interior, nonconvexity, bump, bumpAlpha);
    }

    /// <summary>Did the segment cross a barrier (a bump above both ends by more than float noise)?</summary>
    public bool CrossesBarrier(double tolerance = DefaultInteriorTolerance) =>
        Bump > tolerance * Math.Max(1.0, Math.Abs(LossStart));

    /// <summary>Is the profile roughly convex (nonconvexity at most the threshold; the paper's "roughly convex")?</summary>
    public bool RoughlyConvex(double threshold = Columns.RoughlyConvexThreshold) => Nonconvexity <= threshold;

    private static double At(IReadOnlyList<double> alphas, IReadOnlyList<double> losses, double alpha)
    {
        for (int i = 0; i < alphas.Count; i++) if (alphas[i] == alpha) return losses[i];
        return double.NaN;
    }

    /// <summary>Vertex of the parabola through three points whose middle one is lowest (so the vertex lies between the outer two).</summary>
    internal static (double Alpha, double Loss) ParabolaVertex(double a0, double f0, double a1, double f1, double a2, double f2)
    {
        // Newton form: f(a) = f0 + d1·(a − a0) + d2·(a − a0)(a − a1).
        double d01 = (f1 - f0) / (a1 - a0), d12 = (f2 - f1) / (a2 - a1);
        double d2 = (d12 - d01) / (a2 - a0);
        if (!(d2 > 0)) return (a1, f1); // flat: no curvature to refine with
        double vertex = 0.5 * (a0 + a1) - d01 / (2 * d2);
        vertex = Math.Clamp(vertex, a0, a2);
        double value = f0 + d01 * (vertex - a0) + d2 * (vertex - a0) * (vertex - a1);
        return (vertex, Math.Min(value, f1));
    }
}
