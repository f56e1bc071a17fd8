using System.Diagnostics;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// samples/pytorch/walk_my_model.py as a user runs it: a PyTorch CNN with BatchNorm and a residual connection is
/// scripted, a Fashion-MNIST subset written as .npz, the walk recorded by `sgdwalk train`, a step exported as a
/// PyTorch state_dict and loaded back into the Python class, and PyTorch's loss at θ_t compared with steps.csv's
/// probe_loss_start (the sample exits non-zero beyond 1e-5 relative).
/// </summary>
public class PyTorchSampleTests
{
    [Fact]
    public async Task The_pytorch_sample_walks_a_scripted_cnn_and_its_exported_step_gives_the_recorded_loss()
    {
        TestDependencies.Require("pytorch");
        TestDependencies.Require("data");
        string root = TestDependencies.RepositoryRoot();
        string folder = Directory.CreateTempSubdirectory("pytorch-sample-").FullName;
        var start = new ProcessStartInfo(Python.Interpreter,
            [Path.Combine(root, "samples", "pytorch", "walk_my_model.py"), "--out", folder, "--steps", "6", "--export-step", "4",
                "--train-size", "300"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SGDWALK"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "SgdWalk.Cli.dll")}";
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(10)), "the sample hung");
        string errors = await stderr;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{stdout}\n{errors}");

        Assert.Matches(@"loss at θ_4: PyTorch \d\.\d+, SgdWalk probe_loss_start \d\.\d+, relative difference \d\.\d\de-\d\d", stdout);
        Assert.True(File.Exists(Path.Combine(folder, "run", "report.html")), "no report.html");
        Assert.True(File.Exists(Path.Combine(folder, "export", "theta.pt")), "no exported theta.pt");
        Assert.True(File.Exists(Path.Combine(folder, "residual-cnn.pt.json")), "no sidecar");
    }
}
