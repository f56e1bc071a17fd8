using SgdWalk.Records;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// An output folder that cannot be written fails before any work with a clear message. The tests run as root, for
/// whom chmod does not block writes, so unwritable places are made otherwise: a file standing where a folder is
/// expected, and a path inside /proc (a kernel file system where no one can create folders).
/// </summary>
public class OutputFolderTests
{
    private static readonly string[] Train = ["train", "--dataset", "synthetic", "--hidden", "8", "--steps", "2", "--no-report"];

    [Fact]
    public void A_file_where_the_run_folder_should_be_is_reported_before_any_work()
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-out-").FullName, "not-a-folder");
        File.WriteAllText(file, "precious");
        var (code, output) = CliHarness.Run([.. Train, "--out", Path.Combine(file, "run")]);
        Assert.True(code == 2, output);
        Assert.Contains("cannot write the run folder here", output);
        Assert.Equal("precious", File.ReadAllText(file));

        (code, output) = CliHarness.Run([.. Train, "--out", file]);
        Assert.True(code == 2, output);
        Assert.Contains("is a file, not a run folder", output);
    }

    [Fact]
    public void A_folder_inside_proc_is_reported_before_any_work()
    {
        var (code, output) = CliHarness.Run([.. Train, "--out", "/proc/sgdwalk-cannot-be-here/run"]);
        Assert.True(code == 2, output);
        Assert.Contains("/proc/sgdwalk-cannot-be-here/run: cannot write the run folder here", output.Replace("\n", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Too_little_free_disk_space_is_reported_with_both_sizes()
    {
        // A disk cannot be filled safely in a test; asking for more space than any disk has exercises the same check.
        string folder = Directory.CreateTempSubdirectory("sgdwalk-out-").FullName;
        var e = Assert.Throws<IOException>(() => new RunFolder(folder).CheckWritable(long.MaxValue / 2));
        Assert.Contains("free, the run needs about", e.Message);
        Assert.Contains(" MB", e.Message);
    }

    [Fact]
    public void A_disk_too_small_for_the_checkpoints_is_refused_before_the_folder_exists_and_the_same_folder_works_after()
    {
        // Two billion checkpoints kept need more than any disk holds: the same check as a full disk, forced.
        string output = Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-out-").FullName, "run");
        var (code, text) = CliHarness.Run([.. Train, "--keep-checkpoints", "2000000000", "--out", output]);
        Assert.True(code == 2, text);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "sgdwalk: error:"));
        Assert.Contains("freespace,keepfewerwith--keep-checkpoints", string.Concat(text.Where(c => !char.IsWhiteSpace(c))));
        Assert.False(Directory.Exists(output), "nothing may be written: no folder, no lock, no failed run.json");

        // Once there is room (here: fewer checkpoints kept), the same command on the same folder runs.
        (code, text) = CliHarness.Run([.. Train, "--keep-checkpoints", "2", "--out", output]);
        Assert.True(code == 0, text);
    }
}
