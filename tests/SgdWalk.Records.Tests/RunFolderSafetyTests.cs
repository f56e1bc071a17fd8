namespace SgdWalk.Records.Tests;

/// <summary>Issue 13 part 5: a run folder has one writer at a time, and --overwrite removes nothing until the new run starts.</summary>
public class RunFolderSafetyTests
{
    private static string NewFolder() => Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-safety-").FullName, "run");

    [Fact]
    public void A_folder_whose_lock_is_held_is_refused_and_free_again_once_released()
    {
        string path = NewFolder();
        using (var first = RunFolder.Claim(path, overwrite: false))
        {
            var e = Assert.Throws<RunFolderBusyException>(() => RunFolder.Claim(path, overwrite: true));
            Assert.Contains("another sgdwalk process is using this run folder", e.Message);
            Assert.Throws<RunFolderBusyException>(() => RunLock.Acquire(path));
        }
        using var again = RunLock.Acquire(path);
        Assert.Equal(Path.GetFullPath(path), again.Folder.Path);
    }

    [Fact]
    public void The_check_happens_under_the_lock_so_a_second_claim_after_the_first_run_wrote_is_refused()
    {
        string path = NewFolder();
        using (var first = RunFolder.Claim(path, overwrite: false))
            File.WriteAllText(first.Folder.Manifest, "{}");
        var e = Assert.Throws<IOException>(() => RunFolder.Claim(path, overwrite: false));
        Assert.Contains("already exists and is not empty", e.Message);
    }

    private static RunFolder OldRun()
    {
        var folder = new RunFolder(NewFolder());
        Directory.CreateDirectory(Path.Combine(folder.Figures));
        Directory.CreateDirectory(Path.Combine(folder.Path, "export", "step-3"));
        Directory.CreateDirectory(folder.Checkpoints);
        foreach (var file in new[] { "run.json", "steps.csv", "report.html", "summary.md", "barrier-a-b.csv", "notes.txt", "figures/walk.png",
            "export/step-3/index.json", "checkpoints/final.dat" })
            File.WriteAllText(Path.Combine(folder.Path, file), "old " + file);
        return folder;
    }

    [Fact]
    public void Overwrite_moves_every_artefact_of_the_old_run_aside_and_restores_it_when_the_new_run_fails_before_starting()
    {
        var folder = OldRun();
        using (var claim = RunFolder.Claim(folder.Path, overwrite: true))
        {
            // The report, figures, export and barrier files of the old run are gone from view; the user's notes stay.
            Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(folder.Path).Select(Path.GetFileName)
                .Where(n => n is not (RunLock.FileName or ".replaced")).Order());
            File.WriteAllText(folder.Manifest, "new run");
            File.WriteAllText(folder.Steps, "new rows");
            Assert.True(folder.RestoreReplacedRun());
        }
        Assert.Equal("old run.json", File.ReadAllText(folder.Manifest));
        Assert.Equal("old steps.csv", File.ReadAllText(folder.Steps));
        Assert.Equal("old figures/walk.png", File.ReadAllText(Path.Combine(folder.Figures, "walk.png")));
        Assert.Equal("old export/step-3/index.json", File.ReadAllText(Path.Combine(folder.Path, "export", "step-3", "index.json")));
        Assert.False(Directory.Exists(folder.Replaced));
    }

    [Fact]
    public void Once_the_new_run_starts_the_old_one_is_deleted_with_its_report_figures_and_export()
    {
        var folder = OldRun();
        using (RunFolder.Claim(folder.Path, overwrite: true))
            folder.DeleteReplacedRun();
        Assert.False(Directory.Exists(folder.Replaced));
        Assert.False(Directory.Exists(folder.Figures));
        Assert.False(File.Exists(Path.Combine(folder.Path, "report.html")));
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "export")));
        Assert.False(folder.RestoreReplacedRun());
        Assert.Equal("old notes.txt", File.ReadAllText(Path.Combine(folder.Path, "notes.txt")));
    }

    [Fact]
    public void Overwrite_refuses_a_folder_that_holds_no_run()
    {
        string path = NewFolder();
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "thesis.tex"), "precious");
        var e = Assert.Throws<IOException>(() => RunFolder.Claim(path, overwrite: true));
        Assert.Contains("holds no run", e.Message);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(path, "thesis.tex")));
    }

    [Fact]
    public void A_full_disk_while_rewriting_run_json_still_records_the_status_and_leaves_no_temporary_file()
    {
        // /dev/full fails every write with ENOSPC: standing in for run.json.tmp it is a disk with no room for a copy.
        string path = Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-full-").FullName, "run.json");
        var manifest = new RunManifest { Seed = 1, Status = RunStatus.Running };
        manifest.Options["model"] = "mlp";
        manifest.Write(path);
        File.CreateSymbolicLink(path + ".tmp", "/dev/full");
        manifest.Status = RunStatus.Failed;
        manifest.Message = "No space left on device";
        manifest.Write(path);
        Assert.False(File.Exists(path + ".tmp") || new FileInfo(path + ".tmp").LinkTarget is not null);
        var read = RunManifest.Read(path);
        Assert.Equal(RunStatus.Failed, read.Status);
        Assert.Equal("No space left on device", read.Message);
        Assert.Equal("mlp", (string)read.Options["model"]!);
    }
}
