namespace SgdWalk.Records.Tests;

/// <summary>Issue 13 part 5: reading a file still being written, and resuming only into files the checkpoint vouches for.</summary>
public class CsvSafetyTests
{
    private static string Temp(string text)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-csv-").FullName, "steps.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_last_line_without_its_newline_is_a_row_still_being_written_and_is_left_out()
    {
        var table = CsvTable.Read(Temp("step,loss\n0,1.5\n1,1.25\n2,1.0"));
        Assert.Equal([0.0, 1.0], table.Numbers("step"));
        // Even a half-written header is "nothing yet", not a one-column table.
        Assert.Throws<InvalidDataException>(() => CsvTable.Read(Temp("step,lo")));
    }

    [Fact]
    public void The_checkpointed_prefix_is_accepted_untouched_and_refused_when_edited_or_cut_mid_row()
    {
        const string rows = "step,loss\n0,1.5\n1,1.25\n";
        string path = Temp(rows + "2,1.0\n");
        long length = rows.Length;
        string hash;
        using (var prefix = new CsvPrefix()) hash = prefix.Advance(path, length);
        Assert.Null(CsvPrefix.Problem(path, length, hash));

        // A spreadsheet re-save: same length, another number format; the cut still falls on a newline.
        File.WriteAllText(path, "step,loss\n0,1.5\n1,1.30\n2,1\n");
        Assert.Contains("differ from those the checkpoint recorded", CsvPrefix.Problem(path, length, hash));
        // Rows joined: the recorded length now ends inside a row (checked even for checkpoints without a hash).
        File.WriteAllText(path, "step,loss\n0,1.5\n1,1.25,2,1.0\n");
        Assert.Contains("not the end of a row", CsvPrefix.Problem(path, length, null));
        File.WriteAllText(path, "step,loss\n");
        Assert.Contains("cut short", CsvPrefix.Problem(path, length, hash));
    }

    [Fact]
    public void Hashing_in_steps_gives_the_hash_of_the_whole_prefix()
    {
        string path = Temp("step,loss\n0,1.5\n1,1.25\n2,1.0\n");
        using var stepwise = new CsvPrefix();
        stepwise.Advance(path, 10);
        string twoSteps = stepwise.Advance(path, 22);
        using var once = new CsvPrefix();
        Assert.Equal(once.Advance(path, 22), twoSteps);
    }

    [Fact]
    public void A_damaged_cell_is_listed_as_damaged_without_costing_the_other_cells()
    {
        string sweep = Directory.CreateTempSubdirectory("sgdwalk-sweep-").FullName;
        foreach (var (cell, steps) in new[] { ("good", "step,epoch,dist_init\n0,1,0.5\n"), ("bad", "step,epoch,dist_init\n0,1,0.5,7\n") })
        {
            var folder = new RunFolder(Path.Combine(sweep, cell));
            Directory.CreateDirectory(folder.Path);
            var manifest = new RunManifest { Status = RunStatus.Completed };
            manifest.Options["learning_rate"] = 0.1;
            manifest.Options["batch_size"] = 10;
            manifest.Write(folder.Manifest);
            File.WriteAllText(folder.Steps, steps);
        }
        var (_, rows) = SweepSummary.Compute(sweep);
        Assert.Equal(["bad:damaged", "good:completed"], rows.Select(r => $"{r.Cells["cell"]}:{r.Cells["status"]}"));
        Assert.Equal("0.5", rows[1].Cells["final_dist_init"]);
    }
}
