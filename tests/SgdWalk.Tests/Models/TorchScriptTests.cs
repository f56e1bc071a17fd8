using System.Text.Json.Nodes;
using SgdWalk.Checkpoints;
using SgdWalk.Data;
using SgdWalk.Formats;
using SgdWalk.Landscape;
using SgdWalk.Models;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Tests.Data;
using SgdWalk.TestSupport;
using SgdWalk.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Models;

/// <summary>
/// Three PyTorch models (an MLP with BatchNorm, a CNN with BatchNorm and a skip connection, an MLP with LayerNorm and
/// GELU), scripted by Debian's PyTorch through the companion's save_model, walked by SgdWalk with every probe, and
/// compared with eager PyTorch running the same Python classes from the same weights: the trajectory of full-batch GD,
/// profile points between exported steps, and a Hessian-vector product.
/// </summary>
public sealed class TorchScriptFixture : IDisposable
{
    public const int Steps = 10;
    public const int TrainCount = 64;
    public const double LearningRate = 0.1;
    public static readonly double[] Alphas = [-0.5, 0, 0.5, 1, 1.5];
    public static readonly string[] Models = ["mlp", "cnn", "ln", "tied"];

    /// <summary>The models, the data and the eager references (GD losses, state_dict keys, H·θ_0).</summary>
    private const string Make = """
        import json, sys
        import numpy as np, torch, torch.nn as nn
        import sgdwalk

        class MlpBn(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(64, 32); self.bn1 = nn.BatchNorm1d(32); self.fc2 = nn.Linear(32, 4)
            def forward(self, x):
                return self.fc2(torch.relu(self.bn1(self.fc1(x.flatten(1)))))

        class CnnSkip(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 16, 3, padding=1); self.bn1 = nn.BatchNorm2d(16)
                self.conv2 = nn.Conv2d(16, 16, 3, padding=1); self.bn2 = nn.BatchNorm2d(16)
                self.head = nn.Linear(16, 4)
            def forward(self, x):
                y = torch.relu(self.bn1(self.conv1(x)))
                y = torch.relu(y + self.bn2(self.conv2(y)))
                return self.head(y.mean((2, 3)))

        class NormGelu(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(64, 32); self.norm = nn.LayerNorm(32); self.fc2 = nn.Linear(32, 4)
            def forward(self, x):
                return self.fc2(nn.functional.gelu(self.norm(self.fc1(x.flatten(1)))))

        class Tied(nn.Module):
            # One Parameter under two names (tied weights): stepped once, counted once, exported under both keys.
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(64, 16); self.mid = nn.Linear(16, 16); self.again = nn.Linear(16, 16); self.fc2 = nn.Linear(16, 4)
                self.again.weight = self.mid.weight
            def forward(self, x):
                h = torch.relu(self.fc1(x.flatten(1)))
                return self.fc2(torch.relu(self.again(torch.relu(self.mid(h)))))

        CLASSES = {"mlp": MlpBn, "cnn": CnnSkip, "ln": NormGelu, "tied": Tied}
        torch.set_num_threads(1)
        """;

    private const string EagerReference = Make + """

        rng = np.random.default_rng(3)
        w = rng.standard_normal((64, 4))
        def split(n):
            x = rng.standard_normal((n, 1, 8, 8)).astype(np.float32)
            return x, (x.reshape(n, 64) @ w).argmax(1)
        x, y = split(64); vx, vy = split(16); tx, ty = split(16)
        np.savez("data.npz", images=x, labels=y, val_images=vx, val_labels=vy, test_images=tx, test_labels=ty)
        X, Y = torch.from_numpy(x), torch.from_numpy(y)

        out = {}
        for name, cls in CLASSES.items():
            torch.manual_seed(len(name))
            sgdwalk.save_model(cls(), name + ".pt", (1, 8, 8), 4)
            model = cls()
            model.load_state_dict(torch.jit.load(name + ".pt").state_dict())
            model.train()
            keys = list(model.state_dict().keys())
            params = list(model.parameters())
            # H·θ_0 of the full-batch loss (BatchNorm on batch statistics), at θ_0, before any step.
            loss = nn.functional.cross_entropy(model(X), Y)
            grads = torch.autograd.grad(loss, params, create_graph=True)
            hv = torch.autograd.grad(sum((g * p.detach()).sum() for g, p in zip(grads, params)), params)
            hvp = {n: h.flatten().tolist() for (n, _), h in zip(model.named_parameters(), hv)}
            # Full-batch GD, no weight decay: the loss at θ_t before each step.
            losses = []
            for t in range(int(sys.argv[1])):
                loss = nn.functional.cross_entropy(model(X), Y)
                losses.append(loss.item())
                grads = torch.autograd.grad(loss, params)
                with torch.no_grad():
                    for p, g in zip(params, grads):
                        p.sub_(float(sys.argv[2]) * g)
            out[name] = {"losses": losses, "keys": keys, "parameters": [n for n, _ in model.named_parameters()], "hvp": hvp,
                         "count": sum(p.numel() for p in model.parameters())}

        # A traced module, with the companion's sidecar and without one.
        torch.manual_seed(9)
        sgdwalk.save_model(MlpBn(), "traced.pt", (1, 8, 8), 4, method="trace")
        torch.jit.trace(MlpBn(), torch.zeros(2, 1, 8, 8)).save("traced-bare.pt")
        json.dump(out, open("reference.json", "w"))
        """;

    /// <summary>Eager losses on the segment between two exported steps (theta.pt: θ and the buffers, strict keys).</summary>
    private const string Profiles = Make + """

        data = np.load("data.npz")
        X, Y = torch.from_numpy(data["images"]), torch.from_numpy(data["labels"])
        alphas = [float(a) for a in sys.argv[1].split(",")]
        out = {}
        for name, cls in CLASSES.items():
            start, end = cls(), cls()
            start.load_state_dict(torch.load(f"{name}-export/{sys.argv[2]}/theta.pt"), strict=True)
            end.load_state_dict(torch.load(f"{name}-export/{sys.argv[3]}/theta.pt"), strict=True)
            model = cls()
            model.load_state_dict(start.state_dict())
            model.train()
            losses = []
            with torch.no_grad():
                for a in alphas:
                    for p, p0, p1 in zip(model.parameters(), start.parameters(), end.parameters()):
                        p.copy_(p0 + a * (p1 - p0))
                    losses.append(nn.functional.cross_entropy(model(X), Y).item())
            out[name] = losses
        json.dump(out, open("profiles.json", "w"))
        """;

    public const int ProfileStep = 3;

    private readonly TempDirectory directory = new();

    public TorchScriptFixture()
    {
        TestDependencies.Require("pytorch");
        Python.Run(EagerReference, directory.Path, Steps.ToString(System.Globalization.CultureInfo.InvariantCulture),
            LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        Reference = JsonNode.Parse(File.ReadAllText(PathOf("reference.json")))!.AsObject();
        foreach (var name in Models)
        {
            var folder = Train(Options(name), name);
            Runs[name] = folder;
            foreach (int step in new[] { ProfileStep, ProfileStep + 1 })
                SnapshotExport.Export(folder, step, Path.Combine(PathOf($"{name}-export"), $"step-{step}"), WeightFormat.Pt);
        }
        Python.Run(Profiles, directory.Path, string.Join(",", Alphas.Select(a => a.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
            $"step-{ProfileStep}", $"step-{ProfileStep + 1}");
        EagerProfiles = JsonNode.Parse(File.ReadAllText(PathOf("profiles.json")))!.AsObject();
    }

    public JsonObject Reference { get; }

    public JsonObject EagerProfiles { get; }

    public Dictionary<string, RunFolder> Runs { get; } = new();

    public string PathOf(string name) => directory.File(name);

    /// <summary>Full-batch GD (one chunk: BatchNorm sees the whole batch, as in eager PyTorch) with every probe on.</summary>
    public TrainOptions Options(string name) => new()
    {
        Model = TorchScriptModel.Prefix + PathOf(name + ".pt"),
        Dataset = "npz:" + PathOf("data.npz"),
        BatchSize = TrainCount,
        Steps = Steps,
        LearningRate = LearningRate,
        WeightDecay = 0,
        ProbeSize = null,
        Recorder = new()
        {
            Alphas = Alphas,
            Record = RecordSchedule.All,
            Sharpness = new() { Schedule = RecordSchedule.Parse("every:4"), EigenIterations = 5, TraceSamples = 2, BatchSharpnessBatches = 2 },
            FloorLags = [1],
        },
        CheckpointEvery = 1,
        KeepCheckpoints = Steps + 2,
        Threads = 1,
        Seed = 7,
    };

    public RunFolder Train(TrainOptions options, string label)
    {
        Assert.Empty(RunCheck.Check(options));
        var folder = RunFolder.Prepare(PathOf($"run-{label}-{Guid.NewGuid():N}"), overwrite: false);
        var result = Trainer.Run(options, folder);
        Assert.True(result.Status == RunStatus.Completed, result.Message);
        return folder;
    }

    public void Dispose() => directory.Dispose();
}

public class TorchScriptTests(TorchScriptFixture fixture) : IClassFixture<TorchScriptFixture>
{
    private const double Tolerance = 1e-5;

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= Tolerance * Math.Abs(expected), $"{what}: SgdWalk {actual:R}, eager PyTorch {expected:R}");

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    [InlineData("ln")]
    [InlineData("tied")]
    public void Full_batch_gd_follows_eager_pytorchs_trajectory(string name)
    {
        var steps = CsvTable.Read(fixture.Runs[name].Steps);
        var expected = fixture.Reference[name]!["losses"]!.AsArray().Select(n => n!.GetValue<double>()).ToArray();
        Assert.Equal(TorchScriptFixture.Steps, steps.Rows.Count);
        for (int t = 0; t < TorchScriptFixture.Steps; t++) Close(expected[t], steps.Number(t, "train_loss"), $"{name} step {t}");
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    [InlineData("ln")]
    public void Profile_points_between_exported_steps_equal_eager_pytorchs(string name)
    {
        var profiles = CsvTable.Read(fixture.Runs[name].Profiles);
        var expected = fixture.EagerProfiles[name]!.AsArray().Select(n => n!.GetValue<double>()).ToArray();
        var rows = Enumerable.Range(0, profiles.Rows.Count)
            .Where(r => profiles.Number(r, "step") == TorchScriptFixture.ProfileStep && profiles.Text(r, "view") == "probe")
            .ToDictionary(r => profiles.Number(r, "alpha"), r => profiles.Number(r, "loss"));
        for (int i = 0; i < TorchScriptFixture.Alphas.Length; i++)
            Close(expected[i], rows[TorchScriptFixture.Alphas[i]], $"{name} α = {TorchScriptFixture.Alphas[i]}");
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    [InlineData("ln")]
    [InlineData("tied")]
    public void Names_are_pythons_state_dict_keys_and_the_hvp_equals_pytorchs(string name)
    {
        var reference = fixture.Reference[name]!;
        using var model = TorchScriptModel.Load(fixture.PathOf(name + ".pt"));
        Assert.Equal(reference["keys"]!.AsArray().Select(n => n!.GetValue<string>()), model.state_dict().Keys);
        Assert.Equal(reference["parameters"]!.AsArray().Select(n => n!.GetValue<string>()), model.named_parameters().Select(p => p.name));
        var manifest = JsonNode.Parse(File.ReadAllText(fixture.Runs[name].Manifest))!;
        Assert.Equal(reference["count"]!.GetValue<long>(), manifest["counts"]!["parameters"]!.GetValue<long>());

        using var data = NpzDataset.Load(fixture.PathOf("data.npz"), new DataOptions("npz:" + fixture.PathOf("data.npz")));
        using var view = DataView.Borrow("train", data.Train.Inputs(), data.Train.Labels, TorchScriptFixture.TrainCount);
        var parameters = model.parameters().ToList();
        var hvp = new HessianVectorProduct(model, parameters, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats);
        using var theta = ParamVector.OfValues(parameters);
        using var product = hvp.Apply(view, theta);
        var names = model.named_parameters().Select(p => p.name).ToList();
        using var expected = cat(names.Select(n => tensor(reference["hvp"]![n]!.AsArray().Select(v => v!.GetValue<double>()).ToArray())).ToList());
        double error = (product.Flat.to(ScalarType.Float64) - expected).norm().item<double>() / expected.norm().item<double>();
        Assert.True(error < Tolerance, $"{name}: ‖H·θ − PyTorch's‖ / ‖PyTorch's‖ = {error}");
    }

    [Fact]
    public void A_traced_module_is_refused_with_or_without_its_sidecar()
    {
        var spec = new ModelSpec(1, 8, 8, 4, null, true, null);
        Assert.Contains("traced (torch.jit.trace)", TorchScriptCheck.Problem(fixture.PathOf("traced.pt"), spec));
        Assert.Contains("same outputs in train() and eval() mode", TorchScriptCheck.Problem(fixture.PathOf("traced-bare.pt"), spec));
        Assert.Null(TorchScriptCheck.Problem(fixture.PathOf("mlp.pt"), spec));
        // The sidecar is checked against the data.
        Assert.Contains("the model has 4 classes; the dataset has 10", TorchScriptCheck.Problem(fixture.PathOf("mlp.pt"), spec with { Classes = 10 }));
        Assert.Contains("takes 1x8x8 images", TorchScriptCheck.Problem(fixture.PathOf("mlp.pt"), spec with { Height = 9 }));
    }

    [Fact]
    public void The_same_seed_gives_identical_files_and_measuring_does_not_move_the_walk()
    {
        var again = fixture.Train(fixture.Options("cnn"), "again");
        Assert.Equal(File.ReadAllBytes(fixture.Runs["cnn"].Steps), File.ReadAllBytes(again.Steps));
        Assert.Equal(File.ReadAllBytes(fixture.Runs["cnn"].Profiles), File.ReadAllBytes(again.Profiles));

        var cnn = fixture.Options("cnn");
        var plain = fixture.Train(cnn with
        {
            Recorder = cnn.Recorder with { Probes = ProbePreset.None, Sharpness = cnn.Recorder.Sharpness with { Schedule = RecordSchedule.None }, FloorLags = [] },
        }, "plain");
        var measured = CsvTable.Read(fixture.Runs["cnn"].Steps);
        Assert.Equal(CsvTable.Read(plain.Steps).Numbers("train_loss"), measured.Numbers("train_loss"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(plain.Checkpoints, "final.dat")),
            File.ReadAllBytes(Path.Combine(fixture.Runs["cnn"].Checkpoints, "final.dat")));
        // Every probe measured something: profiles, curvature, floor barriers.
        Assert.True(double.IsFinite(measured.Number(0, "probe_height")) && double.IsFinite(measured.Number(4, "lambda_max")));
    }

    [Fact]
    public void Run_json_records_the_file_and_its_sidecar_and_resume_refuses_a_changed_file()
    {
        var folder = fixture.Runs["ln"];
        var manifest = RunManifest.Read(folder.Manifest);
        string sha = manifest.Options["model_sha256"]!.GetValue<string>();
        Assert.Equal(manifest.Options["model_sidecar"]!["sha256"]!.GetValue<string>(), sha);
        Assert.Equal("NormGelu", manifest.Options["model_sidecar"]!["class_name"]!.GetValue<string>());

        // A run stopped after its step-0 checkpoint; then the model file changes under it.
        string copy = fixture.PathOf("ln-copy.pt");
        File.Copy(fixture.PathOf("ln.pt"), copy, overwrite: true);
        var ln = fixture.Options("ln");
        var options = ln with
        {
            Model = TorchScriptModel.Prefix + copy,
            Steps = 2,
            Recorder = ln.Recorder with { Sharpness = ln.Recorder.Sharpness with { Schedule = RecordSchedule.None } },
        };
        var run = fixture.Train(options, "resume");
        var status = RunManifest.Read(run.Manifest);
        status.Status = RunStatus.Interrupted;
        status.Write(run.Manifest);
        var bytes = File.ReadAllBytes(copy);
        File.Copy(fixture.PathOf("mlp.pt"), copy, overwrite: true);
        var refusal = Assert.Throws<ResumeException>(() => Trainer.Resume(run));
        Assert.Contains("differs from the TorchScript file the checkpoint", refusal.Message);
        File.WriteAllBytes(copy, bytes);
    }
}
