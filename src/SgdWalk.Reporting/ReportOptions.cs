namespace SgdWalk.Reporting;

/// <summary>
/// How a report is drawn. Width and Height are the pixel size of every figure. The walk figure shows
/// <paramref name="WindowCount"/> recorded steps starting at step <paramref name="WindowStart"/> (default: the first run
/// of consecutive recorded steps). The profiles figure shows steps of <paramref name="ProfileEpochs"/> (default: the
/// first, middle and last epoch that has recorded steps).
/// </summary>
public sealed record ReportOptions(
    int Width = 1200,
    int Height = 800,
    int? WindowStart = null,
    int WindowCount = 50,
    IReadOnlyList<int>? ProfileEpochs = null)
{
    internal void Validate()
    {
        if (Width < 200 || Height < 200)
            throw new ArgumentException($"figure size {Width}x{Height} is too small to be legible (at least 200x200)");
        if (WindowCount < 1)
            throw new ArgumentException($"WindowCount must be at least 1 (was {WindowCount})");
    }
}
