using System.Text.RegularExpressions;
using SgdWalk.Records;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// The files run.json names by SHA-256 (a TorchScript model, an .npz dataset) must still be those bytes when a run's
/// snapshots are read with them: `barrier`, `export` and `resume` refuse another file in one line, exit 2, touching
/// nothing, and `resume --model torchscript:PATH` / `--dataset npz:PATH` accept a moved copy with the same SHA-256.
/// </summary>
public class RecordedFilesTests
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        TestDependencies.Require("pytorch");
        string folder = Directory.CreateTempSubdirectory("sgdwalk-recorded-").FullName;
        Python.Run("""
            import numpy as np, torch, torch.nn as nn
            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc1 = nn.Linear(64, 12); self.fc2 = nn.Linear(12, 4)
                def forward(self, x):
                    return self.fc2(torch.relu(self.fc1(x.flatten(1))))
            torch.manual_seed(0); torch.jit.script(Net()).save("net.pt")
            torch.manual_seed(1); torch.jit.script(Net()).save("other.pt")
            rng = np.random.default_rng(0)
            np.savez("data.npz", images=rng.integers(0, 256, (120, 1, 8, 8), dtype=np.uint8), labels=np.arange(120) % 4)
            """, folder);
        return folder;
    });

    private static string Scratch(string name)
    {
        string dir = Directory.CreateTempSubdirectory("sgdwalk-recorded-run-").FullName;
        return Path.Combine(dir, name);
    }

    private static string[] Train(string model, string dataset, string output, params string[] more) =>
        ["train", "--model", model, "--dataset", dataset, "--batch-size", "20", "--steps", "3", "--checkpoint-every", "1",
            "--keep-checkpoints", "10", "--probes", "none", "--threads", "1", "--no-report", "--out", output, .. more];

    /// <summary>A copy of <paramref name="source"/> at <paramref name="target"/> (replacing it).</summary>
    private static string Put(string source, string target)
    {
        File.Copy(Path.Combine(Folder.Value, source), target, overwrite: true);
        return target;
    }

    private static string Flat(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    private static void OneError(string output, string expected)
    {
        Assert.Single(Regex.Matches(output, "sgdwalk: error:"));
        Assert.Contains(Flat(expected), Flat(output));
    }

    [Fact]
    public void Barrier_refuses_a_TorchScript_file_saved_again_since_the_run()
    {
        string run = Scratch("run"), model = Put("net.pt", Scratch("model.pt"));
        var (code, text) = CliHarness.Run(Train("torchscript:" + model, "synthetic", run));
        Assert.True(code == 0, text);
        Put("other.pt", model);
        string csv = Path.Combine(run, "barrier.csv");
        (code, text) = CliHarness.Run("barrier", run + ":initial", run + ":final", "--probe-size", "100", "--out", csv);
        Assert.True(code == 2, text);
        OneError(text, "differs from the TorchScript file the checkpoints and run.json were written with");
        Assert.False(File.Exists(csv));
    }

    [Fact]
    public void Export_refuses_a_checkpoint_written_with_another_TorchScript_file_at_the_same_path()
    {
        string model = Put("net.pt", Scratch("model.pt"));
        string mine = Scratch("mine"), theirs = Scratch("theirs");
        Assert.Equal(0, CliHarness.Run(Train("torchscript:" + model, "synthetic", mine)).ExitCode);
        Put("other.pt", model);
        Assert.Equal(0, CliHarness.Run(Train("torchscript:" + model, "synthetic", theirs)).ExitCode);
        string step = Path.Combine("checkpoints", "step-000000001.ckpt");
        File.Copy(Path.Combine(theirs, step), Path.Combine(mine, step), overwrite: true);
        string output = Scratch("export");
        var (code, text) = CliHarness.Run("export", mine, "--step", "1", "--out", output);
        Assert.True(code == 2, text);
        OneError(text, "written with another TorchScript file");
        Assert.False(Directory.Exists(output));
    }

    /// <summary>A run stopped by Ctrl-C before its first step: interrupted, with a checkpoint at step 0.</summary>
    private static RunFolder Interrupted(string model, string dataset)
    {
        var folder = new RunFolder(Scratch("run"));
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var (code, output) = CliHarness.Run(stop.Token, Train(model, dataset, folder.Path));
        Assert.True(code == 130, output);
        return folder;
    }

    /// <summary>resume refuses: exit 2, one line, and run.json and the checkpoints exactly as they were.</summary>
    private static void Refused(RunFolder folder, string expected, params string[] more)
    {
        byte[] manifest = File.ReadAllBytes(folder.Manifest);
        var checkpoints = Directory.GetFiles(folder.Checkpoints).Order().ToArray();
        var (code, output) = CliHarness.Run(["resume", folder.Path, "--no-report", .. more]);
        Assert.True(code == 2, output);
        OneError(output, expected);
        Assert.Equal(manifest, File.ReadAllBytes(folder.Manifest));
        Assert.Equal(RunStatus.Interrupted, RunManifest.Read(folder.Manifest).Status);
        Assert.Equal(checkpoints, Directory.GetFiles(folder.Checkpoints).Order().ToArray());
    }

    [Fact]
    public void Resume_refuses_a_changed_or_missing_model_file_touching_nothing_and_takes_a_moved_copy_with_the_same_hash()
    {
        string model = Put("net.pt", Scratch("model.pt"));
        var run = Interrupted("torchscript:" + model, "synthetic");
        Put("other.pt", model);
        Refused(run, "differs from the TorchScript file the checkpoints and run.json were written with");
        File.Delete(model);
        Refused(run, $"{model}: the run's TorchScript file is not there");
        string wrong = Put("other.pt", Scratch("wrong.pt"));
        Refused(run, "differs from the TorchScript file", "--model", "torchscript:" + wrong);

        string moved = Put("net.pt", Scratch("moved.pt"));
        var (code, output) = CliHarness.Run("resume", run.Path, "--no-report", "--model", "torchscript:" + moved);
        Assert.True(code == 0, output);
        var manifest = RunManifest.Read(run.Manifest);
        Assert.Equal(RunStatus.Completed, manifest.Status);
        Assert.Equal("torchscript:" + moved, manifest.Options["model"]!.GetValue<string>());
    }

    [Fact]
    public void Resume_refuses_a_moved_npz_touching_nothing_and_takes_it_at_its_new_place()
    {
        string data = Put("data.npz", Scratch("data.npz"));
        string model = Put("net.pt", Scratch("model.pt"));
        var run = Interrupted("torchscript:" + model, "npz:" + data);
        string moved = Scratch("moved.npz");
        File.Move(data, moved);
        Refused(run, $"{data}: the run's .npz file is not there");
        Refused(run, "--model mlp: give the moved TorchScript file as torchscript:PATH", "--model", "mlp");

        var (code, output) = CliHarness.Run("resume", run.Path, "--no-report", "--dataset", "npz:" + moved);
        Assert.True(code == 0, output);
        var manifest = RunManifest.Read(run.Manifest);
        Assert.Equal(RunStatus.Completed, manifest.Status);
        Assert.Equal("npz:" + moved, manifest.Options["dataset"]!.GetValue<string>());
    }
}
