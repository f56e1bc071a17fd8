using System.Globalization;
using CsCheck;

namespace SgdWalk.Records.Tests;

public class CsvTests
{
    [Fact]
    public void Numbers_round_trip_bit_for_bit_whatever_the_culture()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE"); // decimal comma: catches culture-dependent formatting
            Gen.Double.Sample(v =>
            {
                string cell = CsvFormat.Number(v);
                Assert.DoesNotContain(",", cell);
                double back = CsvFormat.ParseNumber(cell);
                Assert.True(double.IsNaN(v) ? double.IsNaN(back) : BitConverter.DoubleToInt64Bits(v) == BitConverter.DoubleToInt64Bits(back),
                    $"{v} -> '{cell}' -> {back}");
            });
        }
        finally { CultureInfo.CurrentCulture = culture; }
    }

    [Fact]
    public void A_log_reads_back_as_written_with_quoted_text_and_empty_cells()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "t.csv");
        using (var log = new CsvLog(path, ["step", "view", "loss"]))
        {
            log.Append(new RowValues().Set("step", 3L).SetText("view", "a,\"b\"\nc").Set("loss", 0.1));
            log.Append(new RowValues().Set("step", 4L));
        }
        var table = CsvTable.Read(path);
        Assert.Equal(["step", "view", "loss"], table.Columns);
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal("a,\"b\"\nc", table.Text(0, "view"));
        Assert.Equal(0.1, table.Number(0, "loss"));
        Assert.True(double.IsNaN(table.Number(1, "loss")));
        Assert.Equal([3.0, 4.0], table.Numbers("step"));
    }

    [Fact]
    public void Unknown_columns_and_duplicate_headers_are_refused()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "t.csv");
        Assert.Throws<ArgumentException>(() => new CsvLog(path, ["a", "a"]));
        using var log = new CsvLog(path, ["a"]);
        var e = Assert.Throws<ArgumentException>(() => log.Append(new RowValues().Set("b", 1.0)));
        Assert.Contains("'b'", e.Message);
    }

    [Fact]
    public void A_ragged_file_is_rejected_with_its_line_number()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "t.csv");
        File.WriteAllText(path, "a,b\n1,2\n3\n");
        var e = Assert.Throws<InvalidDataException>(() => CsvTable.Read(path));
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void Median_ignores_missing_values()
    {
        Assert.Equal(2.0, Statistics.Median([3, double.NaN, 1, 2]));
        Assert.Equal(2.5, Statistics.Median([4, 1, 2, 3]));
        Assert.True(double.IsNaN(Statistics.Median([double.NaN])));
    }
}
