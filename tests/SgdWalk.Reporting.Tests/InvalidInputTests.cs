namespace SgdWalk.Reporting.Tests;

public class InvalidInputTests
{
    [Fact]
    public void A_missing_folder_is_named()
    {
        string path = Path.Combine(Path.GetTempPath(), $"no-such-run-{Guid.NewGuid():N}");
        var e = Assert.Throws<DirectoryNotFoundException>(() => ReportBuilder.Build(path, new ReportOptions()));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_folder_that_is_neither_run_nor_sweep_is_named()
    {
        using var run = new Fixture(Fixture.Synthetic);
        File.Delete(run.File("run.json"));
        var e = Assert.Throws<InvalidDataException>(() => run.Build());
        Assert.Contains(run.Path, e.Message);
        Assert.Contains("neither a run folder", e.Message);
    }

    [Theory]
    [InlineData("steps.csv", 3, null, "line 4, column 'batch_size': 'oops' is not a number")]
    [InlineData("profiles.csv", 1, "1,probe,0.5", "line 2 has 3 cells")]
    [InlineData("epochs.csv", 2, "x,1,1,1,1,1,1,1,1", "line 3, column 'epoch': 'x' is not a number")]
    public void A_malformed_csv_is_named_with_the_line(string file, int index, string? badLine, string expected)
    {
        using var run = new Fixture(Fixture.Synthetic);
        var lines = File.ReadAllLines(run.File(file));
        // Without a replacement line: keep the row, break one number (batch_size is the fourth column).
        lines[index] = badLine ?? string.Join(',', lines[index].Split(',').Select((c, i) => i == 3 ? "oops" : c));
        File.WriteAllLines(run.File(file), lines);

        var e = Assert.Throws<InvalidDataException>(() => run.Build());
        Assert.Contains(run.File(file), e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_missing_steps_file_is_named()
    {
        using var run = new Fixture(Fixture.Synthetic);
        File.Delete(run.File("steps.csv"));
        var e = Assert.Throws<InvalidDataException>(() => run.Build());
        Assert.Contains(run.File("steps.csv"), e.Message);
    }

    [Fact]
    public void A_steps_file_without_required_columns_is_named()
    {
        using var run = new Fixture(Fixture.Synthetic);
        File.WriteAllText(run.File("steps.csv"), "epoch,lr\n1,0.1\n");
        var e = Assert.Throws<InvalidDataException>(() => run.Build());
        Assert.Contains(run.File("steps.csv"), e.Message);
        Assert.Contains("'step'", e.Message);
    }

    [Fact]
    public void A_malformed_manifest_is_named()
    {
        using var run = new Fixture(Fixture.Synthetic);
        File.WriteAllText(run.File("run.json"), "{ \"status\": ");
        var e = Assert.Throws<InvalidDataException>(() => run.Build());
        Assert.Contains(run.File("run.json"), e.Message);
    }

    [Fact]
    public void A_broken_cell_of_a_sweep_is_named_and_the_other_cells_are_still_reported()
    {
        using var sweep = new Fixture(Fixture.Sweep);
        File.WriteAllText(sweep.File("lr0.2-bs50/steps.csv"), "step,epoch\n0,1,2\n");
        var notes = new List<string>();
        ReportBuilder.Build(sweep.Path, new ReportOptions(), notes.Add);
        string note = Assert.Single(notes);
        Assert.Contains("cell lr0.2-bs50 left out", note);
        Assert.Contains(sweep.File("lr0.2-bs50/steps.csv"), note);
        string html = File.ReadAllText(sweep.File("report.html"));
        Assert.Contains("<td>lr0.05-bs50</td>", html);
        Assert.DoesNotContain("<td>lr0.2-bs50</td>", html);
    }
}
