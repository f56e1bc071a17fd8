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
    /// <summary>Largest figure side in pixels: beyond it the drawing surface cannot be allocated (100000x100000 is 40 GB).</summary>
    public const int MaxSide = 10_000;

    /// <summary>Every problem, one line each (empty when the options can be drawn).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Width < 200 || Height < 200)
            problems.Add($"figure size {Width}x{Height} is too small to be legible (at least 200x200)");
        else if (Width > MaxSide || Height > MaxSide)
            problems.Add($"figure size {Width}x{Height} is too large (at most {MaxSide}x{MaxSide})");
        if (WindowCount < 1)
            problems.Add($"WindowCount must be at least 1 (was {WindowCount})");
        if (ProfileEpochs is { } epochs && epochs.Any(e => e < 1))
            problems.Add("ProfileEpochs must list epochs from 1");
        return problems;
    }

    internal void Validate()
    {
        if (Problems() is { Count: > 0 } problems) throw new ArgumentException(problems[0]);
    }
}
