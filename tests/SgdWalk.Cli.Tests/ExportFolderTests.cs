using System.Diagnostics;
using System.Text.Json.Nodes;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// `sgdwalk export --out DIR` writes one export and nothing else into DIR: an earlier export there is replaced whole
/// (never mixed with the new files), a folder holding anything else is refused before writing, and a write that fails
/// half-way (a full disk) leaves the earlier export as it was. The companion reads what index.json names.
/// </summary>
public class ExportFolderTests
{
    private static readonly Lazy<string> Run = new(() =>
    {
        string run = Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-export-folder-").FullName, "run");
        var (code, output) = CliHarness.Run("train", "--dataset", "synthetic", "--hidden", "6", "--batch-size", "50", "--steps", "4",
            "--checkpoint-every", "1", "--keep-checkpoints", "10", "--probe-size", "100", "--threads", "1", "--no-report", "--out", run);
        Assert.True(code == 0, output);
        return run;
    });

    private static string Fresh(string name) => Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-export-out-").FullName, name);

    [Fact]
    public void Exporting_into_an_earlier_export_replaces_it_whole()
    {
        string output = Fresh("step");
        var (code, text) = CliHarness.Run("export", Run.Value, "--step", "3", "--format", "pt", "--out", output);
        Assert.True(code == 0, text);
        (code, text) = CliHarness.Run("export", Run.Value, "--step", "1", "--format", "npy", "--out", output);
        Assert.True(code == 0, text);
        // Only step 1's npy files: step 3's theta.pt and phi.pt are gone with the export they belonged to.
        Assert.False(File.Exists(Path.Combine(output, "theta.pt")), "an earlier export's theta.pt was left beside the new export");
        Assert.False(File.Exists(Path.Combine(output, "phi.pt")));
        Assert.Equal(1, JsonNode.Parse(File.ReadAllText(Path.Combine(output, "index.json")))!["step"]!.GetValue<int>());
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetDirectoryName(output)!), d => Path.GetFileName(d).StartsWith('.'));
    }

    [Fact]
    public void A_folder_holding_something_else_is_refused_before_writing()
    {
        string output = Fresh("mine");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "notes.txt"), "mine");
        var (code, text) = CliHarness.Run("export", Run.Value, "--step", "1", "--format", "pt", "--out", output);
        Assert.Equal(2, code);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("sgdwalk: error:", StringComparison.Ordinal));
        Assert.Contains("notemptyandholdsnoearlierexport", string.Concat(text.Where(c => !char.IsWhiteSpace(c))));
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(output).Select(Path.GetFileName));
    }

    [Fact]
    public void The_companion_reads_the_files_index_json_names_not_a_stray_theta_pt()
    {
        TestDependencies.Require("pytorch");
        string step3 = Fresh("s3"), step1 = Fresh("s1");
        Assert.Equal(0, CliHarness.Run("export", Run.Value, "--step", "3", "--format", "pt", "--out", step3).ExitCode);
        Assert.Equal(0, CliHarness.Run("export", Run.Value, "--step", "1", "--format", "npy", "--out", step1).ExitCode);
        File.Copy(Path.Combine(step3, "theta.pt"), Path.Combine(step1, "theta.pt")); // a stray file, as an older export left them
        Python.Run("""
            import sys, json, os, numpy as np, torch, sgdwalk
            folder = sys.argv[1]
            index = json.load(open(os.path.join(folder, "index.json")))
            state = sgdwalk.read_state(folder)
            for t in index["tensors"]:
                if t["kind"] in ("parameter", "buffer"):
                    assert torch.equal(state[t["name"]], torch.from_numpy(np.load(os.path.join(folder, t["file"])))), t["name"]
            assert set(state) == {t["name"] for t in index["tensors"] if t["kind"] in ("parameter", "buffer")}
            """, step1, step1);
    }

    [Fact]
    public void An_export_that_cannot_be_written_whole_leaves_the_earlier_export_as_it_was()
    {
        string output = Fresh("full");
        var (code, text) = CliHarness.Run("export", Run.Value, "--step", "3", "--format", "pt", "--out", output);
        Assert.True(code == 0, text);
        var before = Directory.GetFiles(output).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        // A full disk, forced: the child may write files of at most 1 KB (RLIMIT_FSIZE; SIGXFSZ ignored, so the write fails
        // as on a full disk instead of killing the process), and theta.pt is larger. W^X off: the runtime's double-mapped
        // code pages are files too.
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        foreach (var a in new[] { "-c", "trap '' XFSZ; ulimit -f 1; exec dotnet \"$@\"", "bash", Path.Combine(AppContext.BaseDirectory, "SgdWalk.Cli.dll"),
                     "export", Run.Value, "--step", "1", "--format", "pt", "--out", output })
            start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        string printed = child.StandardOutput.ReadToEnd() + child.StandardError.ReadToEnd();
        child.WaitForExit();
        // A failure after the checks: exit 1, one line, and the export as it was (no half-written theta.pt, no litter).
        Assert.True(child.ExitCode == 1, printed);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(printed, "sgdwalk: error:"));
        string flat = string.Concat(printed.Where(c => !char.IsWhiteSpace(c)));
        Assert.Contains("theexportcouldnotbewritten", flat);
        Assert.Contains("theearlierexportthereisunchanged", flat);
        Assert.DoesNotContain("Parameter '", printed, StringComparison.Ordinal);
        Assert.Equal([output], Directory.GetFileSystemEntries(Path.GetDirectoryName(output)!));
        var after = Directory.GetFiles(output).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (name, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} changed");
    }
}
