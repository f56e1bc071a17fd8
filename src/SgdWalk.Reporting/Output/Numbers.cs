using System.Globalization;

namespace SgdWalk.Reporting;

/// <summary>How reports print numbers: invariant culture always, so a report reads the same in every locale.</summary>
internal static class Numbers
{
    /// <summary>Six significant digits; "n/a" for not measured.</summary>
    public static string Format(double value) =>
        double.IsNaN(value) ? "n/a" : value.ToString("G6", CultureInfo.InvariantCulture);

    public static string Integer(double value) =>
        double.IsNaN(value) ? "n/a" : Math.Round(value).ToString("0", CultureInfo.InvariantCulture);

    /// <summary>A fraction as a percentage with one decimal, for captions and tick labels.</summary>
    public static string Percent(double fraction) =>
        double.IsNaN(fraction) ? "n/a" : (100 * fraction).ToString("0.0", CultureInfo.InvariantCulture) + " %";
}
