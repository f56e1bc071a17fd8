namespace SgdWalk.Landscape;

/// <summary>
/// `--alphas adaptive`: sample a step's profile where its floor is rather than everywhere. Start from five points
/// (0, ¼, ½, ¾, 1), then repeatedly halve the intervals next to the lowest point: for an interior lowest point until
/// the parabola-refined floor α moves by at most half the tolerance between rounds; for a lowest point at an end of
/// the segment until its neighbour is within the tolerance (spacing never below 1/256). Typical interior floors need
/// 7–9 points instead of 11, for a floor at least as precise; nonconvexity and bump come from the points taken.
/// Plain arithmetic on (α, loss) pairs, tested against closed-form curves.
/// </summary>
public static class AdaptiveGrid
{
    public const double DefaultTolerance = 0.01;
    public const double MinimumSpacing = 1.0 / 256;

    public static IReadOnlyList<double> Initial { get; } = [0, 0.25, 0.5, 0.75, 1];

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
        double previousFloor = double.NaN;
        while (true)
        {
            var alphas = points.Keys.ToArray();
            var losses = points.Values.ToArray();
            int k = Array.IndexOf(losses, losses.Min());
            double floor = SegmentProfile.Analyse(alphas, losses).FloorAlpha;
            bool edge = k == 0 || k == alphas.Length - 1;
            // Interior: the parabola's vertex error shrinks about fourfold per halving, so a move of at most tol/2
            // leaves it well within tol. At an edge the floor is within one spacing of it: halve down to tol.
            bool done = edge
                ? (k == 0 ? alphas[1] - alphas[0] : alphas[k] - alphas[k - 1]) <= tolerance
                : Math.Abs(floor - previousFloor) <= tolerance / 2;
            if (done) break;
            previousFloor = floor;

            var next = new List<double>();
            if (k > 0 && alphas[k] - alphas[k - 1] > MinimumSpacing) next.Add((alphas[k - 1] + alphas[k]) / 2);
            if (k < alphas.Length - 1 && alphas[k + 1] - alphas[k] > MinimumSpacing) next.Add((alphas[k] + alphas[k + 1]) / 2);
            if (next.Count == 0) break;
            Add(next);
        }
        return (points.Keys.ToArray(), points.Values.ToArray());
    }
}
