using SgdWalk.Records;

namespace SgdWalk.Records.Tests;

/// <summary>Continuing a CSV file from a checkpoint's recorded length: later rows are cut, damage is refused.</summary>
public class CsvResumeTests
{
    private static readonly string[] Columns = ["step", "loss"];

    private static (string Path, long Length) WriteTwoThenOne()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "steps.csv");
        using var log = new CsvLog(path, Columns);
        log.Append(new RowValues().Set("step", 0).Set("loss", 1.5));
        log.Append(new RowValues().Set("step", 1).Set("loss", 1.25));
        long length = log.Length; // what a checkpoint after step 1 records
        log.Append(new RowValues().Set("step", 2).Set("loss", 1.0));
        log.Flush();
        return (path, length);
    }

    [Fact]
    public void Rows_after_the_recorded_length_are_dropped_and_appending_continues()
    {
        var (path, length) = WriteTwoThenOne();
        using (var log = new CsvLog(path, Columns, resumeAt: length))
        {
            Assert.Equal(length, log.Length);
            log.Append(new RowValues().Set("step", 2).Set("loss", 0.75));
        }
        Assert.Equal("step,loss\n0,1.5\n1,1.25\n2,0.75\n", File.ReadAllText(path));
    }

    [Fact]
    public void A_file_shorter_than_recorded_or_with_another_header_is_refused()
    {
        var (path, length) = WriteTwoThenOne();
        var e = Assert.Throws<IOException>(() => new CsvLog(path, Columns, resumeAt: new FileInfo(path).Length + 1));
        Assert.Contains("the checkpoint recorded", e.Message);
        e = Assert.Throws<IOException>(() => new CsvLog(path, ["step", "accuracy"], resumeAt: length));
        Assert.Contains("header differs", e.Message);
        e = Assert.Throws<IOException>(() => new CsvLog(path + ".missing", Columns, resumeAt: 10));
        Assert.Contains("missing", e.Message);
        Assert.Equal(4, File.ReadAllLines(path).Length); // refusals leave the file alone
    }
}
