namespace SgdWalk.Landscape;

/// <summary>
/// `--alphas adaptive`: sample a step's profile where its floor is rather than everywhere. Start from 0, ½ and 1,
/// then repeatedly halve the intervals next to the lowest point. An interior floor (parabola through the lowest point
/// and its neighbours) is accepted when its last two moves were at most TOL and 2·TOL: a single small move can be a
/// coincidence when the lowest point shifts, two in a row are not (on skewed closed-form valleys the error stays
/// below TOL/3; a single-move rule let it reach 4·TOL). A floor at an end of the segment is refined until its
/// neighbour is within TOL. Spacing never goes below 1/256. Near-parabolic valleys take 7–9 points instead of 11;
/// nonconvexity and bump come from the points taken, so they see less of the curve away from the floor.
/// Plain arithmetic on (α, loss) pairs, tested against closed-form curves.
/// </summary>
public static class AdaptiveGrid
{
    public const double DefaultTolerance = 0.01;
    public const double MinimumSpacing = 1.0 / 256;

    public static IReadOnlyList<double> Initial { get; } = [0, 0.5, 1];

    /// <summary>
    /// Samples <paramref name="evaluate"/> (losses for a batch of α) adaptively; returns the α's in increasing order with their losses.
    /// </summary>
    public static (double[] Alphas, double[] Losses) Sample(Func<IReadOnlyList<double>, IReadOnlyList<double>> evaluate, double tolerance = DefaultTolerance)
    {
        if (!(tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), "the floor tolerance must be positive");
        var points = new SortedDictionary<double, double>();
        void Add(IReadOnlyList<double> alphas)
        {
            var losses = evaluate(alphas);
            for (int i = 0; i < alphas.Count; i++) points[alphas[i]] = losses[i];
        }

        Add(Initial);
        var floors = new List<double>();
        while (true)
        {
            var alphas = points.Keys.ToArray();
            var losses = points.Values.ToArray();
            int k = Array.IndexOf(losses, losses.Min());
            floors.Add(SegmentProfile.Analyse(alphas, losses).FloorAlpha);
            bool done = k == 0 || k == alphas.Length - 1
                ? (k == 0 ? alphas[1] - alphas[0] : alphas[k] - alphas[k - 1]) <= tolerance
                : floors.Count >= 3 && Math.Abs(floors[^1] - floors[^2]) <= tolerance && Math.Abs(floors[^2] - floors[^3]) <= 2 * tolerance;
            if (done) break;

            var next = new List<double>();
            if (k > 0 && alphas[k] - alphas[k - 1] > MinimumSpacing) next.Add((alphas[k - 1] + alphas[k]) / 2);
            if (k < alphas.Length - 1 && alphas[k + 1] - alphas[k] > MinimumSpacing) next.Add((alphas[k] + alphas[k + 1]) / 2);
            if (next.Count == 0) break;
            Add(next);
        }
        return (points.Keys.ToArray(), points.Values.ToArray());
    }
}
