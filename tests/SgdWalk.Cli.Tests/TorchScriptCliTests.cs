using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// `--model torchscript:PATH` with files Debian's PyTorch writes: every unusable file is one line naming it, exit 2,
/// and nothing written; a good file trains.
/// </summary>
public sealed class TorchScriptFiles : IDisposable
{
    private const string Writer = """
        import json, torch, torch.nn as nn
        import sgdwalk, typing

        class Net(nn.Module):
            def __init__(self, dropout=0.0):
                super().__init__()
                self.fc1 = nn.Linear(64, 16); self.bn = nn.BatchNorm1d(16); self.drop = nn.Dropout(dropout); self.fc2 = nn.Linear(16, 4)
            def forward(self, x):
                return self.fc2(self.drop(torch.relu(self.bn(self.fc1(x.flatten(1))))))

        class Dict(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(64, 4)
            def forward(self, x) -> typing.Dict[str, torch.Tensor]:
                return {"logits": self.fc(x.flatten(1))}

        class Pair(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(64, 4)
            def forward(self, x):
                y = self.fc(x.flatten(1))
                return y, y

        class EvalNoise(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(64, 4)
            def forward(self, x):
                y = self.fc(x.flatten(1))
                if not self.training:
                    y = y + torch.randn_like(y)
                return y

        class Big(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(64, 4)
            def forward(self, x):
                if x.size(0) > 8:
                    raise ValueError("batch too large for this model")
                return self.fc(x.flatten(1))

        class Unused(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(64, 4); self.extra = nn.Linear(4, 4)
            def forward(self, x):
                return self.fc(x.flatten(1))

        class OnRealData(nn.Module):
            # Passes every trial (random or zero images) and fails on the first real training batch of 16.
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(64, 4)
            def forward(self, x):
                if self.training and x.size(0) == 16 and bool(x.abs().sum() > 0):
                    raise ValueError("this model refuses real data")
                return self.fc(x.flatten(1))

        torch.manual_seed(0)
        sgdwalk.save_model(Net(), "good.pt", (1, 8, 8), 4)
        torch.jit.script(Big()).save("big.pt")
        torch.jit.script(Unused()).save("unused.pt")
        torch.jit.script(OnRealData()).save("realdata.pt")
        wide = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1), nn.Flatten(), nn.Linear(16 * 64, 4))
        torch.jit.script(wide.to(memory_format=torch.channels_last)).save("channels_last.pt")
        torch.jit.script(EvalNoise()).save("evalnoise.pt")
        sgdwalk.save_model(Net(), "traced.pt", (1, 8, 8), 4, method="trace")
        sgdwalk.save_model(Net(0.5), "dropout.pt", (1, 8, 8), 4)
        sgdwalk.save_model(Net(), "ten.pt", (1, 8, 8), 10)
        frozen = Net(); frozen.fc1.weight.requires_grad_(False); torch.jit.script(frozen).save("frozen.pt")
        torch.jit.script(Net().double()).save("double.pt")
        torch.jit.script(Net()).save("stale.pt")
        json.dump({"sha256": "0" * 64}, open("stale.pt.json", "w"))
        torch.jit.script(Pair()).save("pair.pt")
        torch.jit.script(Dict()).save("dict.pt")
        open("text.pt", "w").write("not a model")
        """;

    public TorchScriptFiles()
    {
        TestDependencies.Require("pytorch");
        Python.Run(Writer, Folder);
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("sgdwalk-torchscript-").FullName;

    public string File(string name) => Path.Combine(Folder, name);

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public class TorchScriptCliTests(TorchScriptFiles files) : IClassFixture<TorchScriptFiles>
{
    [Theory]
    [InlineData("missing.pt", "", "missing.pt: no such TorchScript file")]
    [InlineData("text.pt", "", "text.pt: not a TorchScript file libtorch can load")]
    [InlineData("traced.pt", "", "the model was traced (torch.jit.trace)")]
    [InlineData("dropout.pt", "", "two forward passes of the same batch in train mode differ (Dropout")]
    [InlineData("evalnoise.pt", "", "two forward passes of the same batch in eval mode differ")]
    [InlineData("big.pt", "--batch-size=16", "fails on a training batch of 16 of 1x8x8 images: builtins.ValueError: batch too large for this model (")]
    [InlineData("unused.pt", "", "parameter 'extra.weight' is not used by forward")]
    [InlineData("channels_last.pt", "", "parameter '2.weight' is not contiguous in memory")]
    [InlineData("ten.pt", "", "the model has 10 classes; the dataset has 4")]
    [InlineData("frozen.pt", "", "parameter 'fc1.weight' does not require grad")]
    [InlineData("double.pt", "", "parameter 'fc1.weight' is Float64")]
    [InlineData("stale.pt", "", "stale.pt.json: describes another file")]
    [InlineData("pair.pt", "", "forward returns a tuple of 2 values, not one tensor of logits")]
    [InlineData("dict.pt", "", "forward returns a value SgdWalk cannot read (a dict?), not one tensor of logits")]
    [InlineData("good.pt", "--hidden=8", "--hidden, --depth and --no-model-bn apply to zoo models, not to a TorchScript model")]
    public void An_unusable_model_is_one_line_exit_2_and_nothing_written(string file, string extra, string expected)
    {
        string existing = Directory.CreateTempSubdirectory().FullName;
        System.IO.File.WriteAllText(Path.Combine(existing, "steps.csv"), "precious");
        string[] args = ["train", "--model", "torchscript:" + files.File(file), "--dataset", "synthetic", "--steps", "2", "--no-report",
            "--out", existing, "--overwrite", .. extra.Length > 0 ? new[] { extra } : []];
        var (code, output) = CliHarness.Run(args);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(expected, System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "));
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", output, StringComparison.Ordinal); // .NET's own wording, never the user's
        Assert.DoesNotContain("`", output, StringComparison.Ordinal);
        Assert.Equal("precious", System.IO.File.ReadAllText(Path.Combine(existing, "steps.csv")));
        Assert.Single(Directory.EnumerateFileSystemEntries(existing));
    }

    [Fact]
    public void Overwrite_keeps_the_old_run_when_the_new_one_fails_before_completing_a_step()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        var (first, firstOutput) = CliHarness.Run("train", "--dataset", "synthetic", "--steps", "2", "--no-report", "--out", folder);
        Assert.True(first == 0, firstOutput);
        Directory.CreateDirectory(Path.Combine(folder, "export"));
        System.IO.File.WriteAllText(Path.Combine(folder, "export", "theta.pt"), "exported");
        var before = Snapshot(folder);

        var (code, output) = CliHarness.Run("train", "--model", "torchscript:" + files.File("realdata.pt"), "--dataset", "synthetic",
            "--batch-size", "16", "--steps", "2", "--no-report", "--out", folder, "--overwrite");
        Assert.Equal(ExitCodes.Failed, code);
        string flat = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
        Assert.Contains("this model refuses real data", flat);
        Assert.Contains("is back as it was", flat);
        Assert.Equal(before, Snapshot(folder));
    }

    private static SortedDictionary<string, string> Snapshot(string folder) => new(
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => System.IO.File.ReadAllText(f)), StringComparer.Ordinal);

    [Fact]
    public void A_scripted_model_trains_and_its_default_folder_is_named_after_the_file()
    {
        string cwd = Directory.CreateTempSubdirectory().FullName;
        var (code, output) = CliHarness.Run("train", "--model", "torchscript:" + files.File("good.pt"), "--dataset", "synthetic", "--steps", "3",
            "--probe-size", "100", "--no-report", "--threads", "1", "--out", Path.Combine(cwd, "synthetic-torchscript-good"));
        Assert.True(code == ExitCodes.Success, output);
        Assert.Contains("\"model_sha256\"", System.IO.File.ReadAllText(Path.Combine(cwd, "synthetic-torchscript-good", "run.json")));
    }
}
