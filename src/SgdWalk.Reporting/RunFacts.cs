using SgdWalk.Records;
using SgdWalk.Reporting.Data;

namespace SgdWalk.Reporting;

/// <summary>
/// The numbers a report states about one run: <see cref="RunSummary"/> (shared with the CLI) plus the settings that
/// identify a sweep cell and three fractions that test the paper's claims directly. NaN means "not measured".
/// </summary>
public sealed record RunFacts(
    string Name,
    string Status,
    double LearningRate,
    double BatchSize,
    long Seed,
    RunSummary Summary,
    double ConvexFraction,
    double BarrierFraction,
    double NegativeCosGradFraction)
{
    /// <summary>Profiles count as roughly convex at or below this nonconvexity.</summary>
    public const double ConvexThreshold = Columns.RoughlyConvexThreshold;

    public static RunFacts FromFolder(string folder) => From(RunData.Load(folder));

    internal static RunFacts From(RunData run)
    {
        var summary = RunSummary.FromFolder(run.Folder, run.MainView);
        string view = summary.View;
        return new RunFacts(
            run.Name,
            run.Manifest.Status.ToString().ToLowerInvariant(),
            run.LearningRate,
            run.BatchSize,
            run.Manifest.Seed,
            summary,
            Fraction(run.Steps.Optional(Columns.OfView(view, Columns.Nonconvexity)), v => v <= ConvexThreshold),
            summary.Barriers.StepBarrierFraction, // bump above float noise (BarrierStatistics), not merely > 0
            Fraction(run.Steps.Optional(Columns.CosineGradient), v => v < 0));
    }

    /// <summary>Share of the measured (non-NaN) values that satisfy <paramref name="test"/>; NaN when none measured.</summary>
    private static double Fraction(double[]? values, Func<double, bool> test)
    {
        var measured = values?.Where(v => !double.IsNaN(v)).ToArray() ?? [];
        return measured.Length == 0 ? double.NaN : (double)measured.Count(test) / measured.Length;
    }
}
