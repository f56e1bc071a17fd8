using System.Globalization;

namespace SgdWalk.Reporting.Tests;

public class SummaryTests
{
    [Theory]
    [InlineData(Fixture.RealRun)]
    [InlineData(Fixture.Synthetic)]
    public void Summary_numbers_equal_plain_arithmetic_on_the_csv(string fixture)
    {
        using var run = new Fixture(fixture);
        run.Build();
        var table = CsvOracle.MarkdownTable(run.File("summary.md")).ToDictionary(r => r[0], r => r[1]);
        var steps = new CsvOracle(run.File("steps.csv"));
        var epochs = new CsvOracle(run.File("epochs.csv"));

        Assert.Equal(steps.Column("step").Count.ToString(CultureInfo.InvariantCulture), table["steps"]);
        var interior = steps.Column("probe_interior");
        Assert.Equal(interior.Count.ToString(CultureInfo.InvariantCulture), table["recorded steps"]);
        CsvOracle.Near(interior.Sum() / interior.Count, table["interior fraction"], "interior fraction");
        CsvOracle.Near(CsvOracle.Median(steps.Column("probe_height")), table["median height"], "median height");
        CsvOracle.Near(CsvOracle.Median(steps.Column("probe_floor_alpha")), table["median floor alpha"], "median floor alpha");
        CsvOracle.Near(steps.Column("dist_init")[^1], table["final distance from init"], "final distance");
        CsvOracle.Near(CsvOracle.Median(steps.Column("cos_grad")), table["median gradient cosine"], "median cos_grad");
        CsvOracle.Near(CsvOracle.Share(steps.Column("cos_grad"), v => v < 0), table["share of opposing gradients"], "negative cosines");
        CsvOracle.Near(CsvOracle.Share(steps.Column("probe_nonconvexity"), v => v <= 0.05), table["convex fraction"], "convex fraction");
        var bumps = steps.Column("probe_bump").Zip(steps.Column("probe_loss_start"), (b, f) => b / Math.Max(1, Math.Abs(f))).ToList();
        CsvOracle.Near(CsvOracle.Share(bumps, v => v > 1e-5), table["barrier fraction"], "barrier fraction");
        CsvOracle.Near(epochs.Column("test_acc")[^1], table["final test accuracy"], "final test accuracy");
        CsvOracle.Near(epochs.Column("val_acc")[^1], table["final validation accuracy"], "final validation accuracy");
        CsvOracle.Near(epochs.Column("train_loss")[^1], table["final train loss"], "final train loss");
        CsvOracle.Near(steps.Column("lr")[0], table["learning rate"], "learning rate");
    }

    [Fact]
    public void The_html_page_shows_the_same_table()
    {
        using var run = new Fixture(Fixture.RealRun);
        run.Build();
        string html = File.ReadAllText(run.File("report.html"));
        var rows = CsvOracle.MarkdownTable(run.File("summary.md")).Skip(2).ToList();
        Assert.True(rows.Count > 15, "summary.md has too few rows");
        foreach (var row in rows)
            Assert.Contains($"<tr><td>{System.Net.WebUtility.HtmlEncode(row[0])}</td>" +
                $"<td{(double.TryParse(row[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? " class=\"n\"" : "")}>" +
                $"{System.Net.WebUtility.HtmlEncode(row[1])}</td>", html);
    }

    [Fact]
    public void A_decimal_comma_culture_produces_byte_identical_files()
    {
        var german = new CultureInfo("de-DE");
        Assert.Equal(",", german.NumberFormat.NumberDecimalSeparator); // else this test would prove nothing

        using var invariant = new Fixture(Fixture.Synthetic);
        using var comma = new Fixture(Fixture.Synthetic);
        var expected = Built(invariant, CultureInfo.InvariantCulture);
        var actual = Built(comma, german);

        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, bytes) in expected) Assert.True(bytes.SequenceEqual(actual[name]), $"{name} differs under de-DE");
    }

    private static Dictionary<string, byte[]> Built(Fixture run, CultureInfo culture)
    {
        var saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = culture;
        try
        {
            var written = run.Build();
            Assert.Equal(culture, CultureInfo.CurrentCulture); // the builder gives the caller's culture back
            return written.ToDictionary(p => Path.GetRelativePath(run.Path, p), File.ReadAllBytes);
        }
        finally
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = saved;
        }
    }
}
