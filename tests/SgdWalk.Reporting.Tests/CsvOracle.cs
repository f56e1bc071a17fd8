using System.Globalization;

namespace SgdWalk.Reporting.Tests;

/// <summary>A deliberately dumb reading of a CSV fixture (split on commas), to check the report's numbers against.</summary>
internal sealed class CsvOracle
{
    private readonly string[] header;
    private readonly string[][] rows;

    public CsvOracle(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        header = lines[0].Split(',');
        rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
    }

    /// <summary>The non-empty cells of a column, in file order.</summary>
    public List<double> Column(string name)
    {
        int c = Array.IndexOf(header, name);
        Assert.True(c >= 0, $"fixture has no column {name}");
        return rows.Where(r => r[c].Length > 0).Select(r => double.Parse(r[c], CultureInfo.InvariantCulture)).ToList();
    }

    public static double Median(List<double> values)
    {
        var s = values.OrderBy(v => v).ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    public static double Share(List<double> values, Func<double, bool> test) => values.Count(test) / (double)values.Count;

    /// <summary>The Markdown table of summary.md as rows of cells.</summary>
    public static List<string[]> MarkdownTable(string path) =>
        File.ReadAllLines(path).Where(l => l.StartsWith("| ", StringComparison.Ordinal))
            .Select(l => l.Trim('|', ' ').Split(" | ")).ToList();

    public static void Near(double expected, string printed, string what)
    {
        double actual = double.Parse(printed, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(actual - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"{what}: printed {printed}, expected {expected}");
    }
}
