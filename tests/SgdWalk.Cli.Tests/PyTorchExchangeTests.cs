using System.Security.Cryptography;
using SgdWalk.Records;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// Weights cross between SgdWalk and PyTorch both ways, checked in Debian's PyTorch 1.13: a state_dict saved by
/// torch.save (or safetensors written by hand from the format's description) starts a run with θ_0 equal bit for bit;
/// `sgdwalk export --format pt|safetensors|npy` loads into an equivalent eager module with strict keys; a file that does
/// not match is refused with every missing, unexpected and mis-shaped key in one line.
/// </summary>
public class PyTorchExchangeTests
{
    // The eager twin of `--model mlp --hidden 6` on the synthetic set (1x8x8 images, 4 classes): the same names.
    private const string Twin = """
        import sys, json, struct, hashlib, numpy as np, torch, torch.nn as nn
        sys.path.insert(0, ".")
        import sgdwalk

        def twin():
            m = nn.Module()
            m.layers = nn.Sequential()
            for name, layer in (("fc1", nn.Linear(64, 6)), ("bn1", nn.BatchNorm1d(6)), ("relu1", nn.ReLU()), ("fc2", nn.Linear(6, 4))):
                m.layers.add_module(name, layer)
            return m

        def write_safetensors(path, state):
            header, blobs, offset = {}, [], 0
            names = {torch.float32: "F32", torch.int64: "I64"}
            for k, v in state.items():
                b = v.contiguous().numpy().tobytes()
                header[k] = {"dtype": names[v.dtype], "shape": list(v.shape), "data_offsets": [offset, offset + len(b)]}
                blobs.append(b); offset += len(b)
            h = json.dumps(header).encode()
            with open(path, "wb") as f:
                f.write(struct.pack("<Q", len(h))); f.write(h); f.write(b"".join(blobs))

        def same(a, b):
            return a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
        """;

    private static readonly Lazy<string> Folder = new(() =>
    {
        TestDependencies.Require("pytorch");
        string folder = Directory.CreateTempSubdirectory("sgdwalk-exchange-").FullName;
        Python.Run(Twin + "\n" + """
            torch.manual_seed(42)
            m = twin()
            with torch.no_grad():
                m.layers.bn1.running_mean.uniform_(-1, 1); m.layers.bn1.running_var.uniform_(0.5, 2); m.layers.bn1.weight.uniform_(0.5, 1.5)
            m.layers.bn1.num_batches_tracked.fill_(17)
            torch.save(m.state_dict(), "trained.pt")
            write_safetensors("trained.safetensors", m.state_dict())
            bad = m.state_dict()
            del bad["layers.fc2.bias"]
            bad["head.weight"] = torch.zeros(3)
            bad["layers.fc1.weight"] = torch.zeros(5, 64)
            torch.save(bad, "bad.pt")
            torch.save({"model": m.state_dict(), "epoch": 3}, "wrapped.pt")
            open("garbage.pt", "wb").write(b"PK\x03\x04 not really a zip")
            # Tensors that are views into one storage (numpy's slices of one buffer, as some exporters write them).
            shared = torch.cat([m.layers.fc1.weight.detach().flatten(), m.layers.fc1.bias.detach()])
            views = dict(m.state_dict()); views["layers.fc1.weight"] = shared[:384].view(6, 64); views["layers.fc1.bias"] = shared[384:]
            torch.save(views, "views.pt")
            for name, key, value in (("nan.pt", "layers.fc2.weight", float("nan")), ("inf.pt", "layers.fc1.bias", float("inf"))):
                s = {k: v.clone() for k, v in m.state_dict().items()}; s[key].view(-1)[1] = value; torch.save(s, name)
            torch.save(list(m.state_dict().values()), "list.pt")
            torch.save(m, "whole.pt")
            torch.save(dict(m.state_dict(), extra=np.zeros(3)), "numpy.pt")
            torch.save(m.state_dict(), "zip_named.safetensors")
            write_safetensors("safetensors_named.pt", m.state_dict())
            # safetensors whose data_offsets lie: each must be refused, naming the tensor, before a byte becomes a weight.
            def lying(path, change, tail=b""):
                raw = open("trained.safetensors", "rb").read()
                (n,) = struct.unpack("<Q", raw[:8]); header = json.loads(raw[8:8 + n]); data = raw[8 + n:]
                change(header, len(data))
                h = json.dumps(header).encode()
                open(path, "wb").write(struct.pack("<Q", len(h)) + h + data + tail)
            def bias(offsets): return lambda h, size: h["layers.fc2.bias"].__setitem__("data_offsets", offsets(h, size))
            lying("st_negative.safetensors", bias(lambda h, size: [-16, 0]))
            lying("st_beyond.safetensors", bias(lambda h, size: [size, size + 16]))
            lying("st_overlap.safetensors", bias(lambda h, size: [h["layers.fc2.weight"]["data_offsets"][0], h["layers.fc2.weight"]["data_offsets"][0] + 16]))
            lying("st_size.safetensors", bias(lambda h, size: [h["layers.fc2.bias"]["data_offsets"][0], h["layers.fc2.bias"]["data_offsets"][1] - 4]))
            lying("st_gap.safetensors", bias(lambda h, size: [x + 4 for x in h["layers.fc2.bias"]["data_offsets"]]), tail=b"\0" * 4)
            lying("st_trailing.safetensors", lambda h, size: None, tail=b"\0" * 8)
            raw = open("trained.safetensors", "rb").read()
            open("st_header_length.safetensors", "wb").write(struct.pack("<Q", len(raw)) + raw[8:])
            """, folder);
        return folder;
    });

    private static string File(string name) => Path.Combine(Folder.Value, name);

    private static string[] Train(string initFrom, string output, params string[] more) =>
        ["train", "--dataset", "synthetic", "--hidden", "6", "--batch-size", "50", "--steps", "3", "--checkpoint-every", "1",
            "--keep-checkpoints", "10", "--probe-size", "100", "--threads", "1", "--no-report", "--init-from", initFrom, "--out", output, .. more];

    [Theory]
    [InlineData("trained.pt")]
    [InlineData("trained.safetensors")]
    public void A_pytorch_state_dict_starts_the_run_with_theta_0_equal_bit_for_bit(string weights)
    {
        string run = File("run-" + weights);
        var (code, text) = CliHarness.Run(Train(File(weights), run, "--overwrite"));
        Assert.True(code == 0, text);
        var options = RunManifest.Read(Path.Combine(run, "run.json")).Options;
        Assert.Equal(File(weights), options["init_from"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(System.IO.File.ReadAllBytes(File(weights)))), options["init_from_sha256"]!.GetValue<string>());

        (code, text) = CliHarness.Run("export", run, "--step", "0", "--out", Path.Combine(run, "x0"));
        Assert.True(code == 0, text);
        Python.Run(Twin + "\n" + $$"""
            saved = torch.load("trained.pt", weights_only=True)
            exported = sgdwalk.read_state("{{Path.Combine(run, "x0")}}")
            assert exported.keys() == saved.keys(), (exported.keys(), saved.keys())
            for k in saved: assert same(exported[k], saved[k]), k
            """, Folder.Value);
    }

    [Theory]
    [InlineData("pt")]
    [InlineData("safetensors")]
    [InlineData("npy")]
    public void An_exported_step_loads_strictly_into_the_eager_twin_with_the_dtypes_pytorch_expects(string format)
    {
        string run = File("run-export-" + format);
        var (code, text) = CliHarness.Run(Train(File("trained.pt"), run, "--overwrite"));
        Assert.True(code == 0, text);
        string output = Path.Combine(run, "x-" + format);
        (code, text) = CliHarness.Run("export", run, "--step", "1", "--format", format, "--out", output);
        Assert.True(code == 0, text);
        string npy = Path.Combine(run, "x-npy-reference");
        Assert.Equal(0, CliHarness.Run("export", run, "--step", "1", "--out", npy).ExitCode);
        Python.Run(Twin + "\n" + $$"""
            out, fmt = "{{output}}", "{{format}}"
            if fmt == "pt":
                state = torch.load(out + "/theta.pt", weights_only=True)
                phi = torch.load(out + "/phi.pt", weights_only=True)
            elif fmt == "safetensors":
                state, phi = sgdwalk.read_safetensors(out + "/theta.safetensors"), sgdwalk.read_safetensors(out + "/phi.safetensors")
            else:
                state, phi = sgdwalk.read_state(out), sgdwalk.read_state(out, "phi")
            m = twin()
            m.load_state_dict(state, strict=True)
            assert state["layers.bn1.num_batches_tracked"].dtype == torch.int64 and state["layers.bn1.num_batches_tracked"].dim() == 0
            assert state["layers.bn1.num_batches_tracked"].item() == 18     # 17 from the file, one training step
            assert all(v.dtype == torch.float32 for k, v in state.items() if "num_batches" not in k)
            twin().load_state_dict(phi, strict=True)
            # Every format holds the same bits as the .npy export.
            reference = sgdwalk.read_state("{{npy}}")
            for k in reference: assert same(state[k], reference[k]), k
            for k, v in sgdwalk.read_state("{{npy}}", "phi").items(): assert same(phi[k], v), k
            # load_step: the companion's one call, from the folder of any format.
            sgdwalk.load_step(twin(), out)
            """, Folder.Value);
    }

    [Fact]
    public void A_state_dict_that_does_not_match_lists_every_missing_unexpected_and_misshaped_key_exit_2_nothing_written()
    {
        string run = File("run-bad");
        var (code, text) = CliHarness.Run(Train(File("bad.pt"), run));
        Assert.Equal(2, code);
        string line = OneError(text);
        Assert.Contains(Squash($"--init-from {File("bad.pt")}: does not match the model's state_dict"), line);
        Assert.Contains(Squash("missing keys: layers.fc2.bias"), line);
        Assert.Contains(Squash("unexpected keys: head.weight"), line);
        Assert.Contains(Squash("layers.fc1.weight is float32[5,64] in the file, float32[6,64] in the model"), line);
        Assert.False(Directory.Exists(run));
    }

    [Theory]
    [InlineData("wrapped.pt", "is not a tensor; save model.state_dict() itself")]
    [InlineData("garbage.pt", "not readable as a state_dict saved by torch.save")]
    [InlineData("absent.safetensors", "no such file")]
    [InlineData("trained.npz", "--init-from must name a .pt, .pth, .bin (torch.save of a state_dict) or .safetensors file")]
    // Finding 11: views of one storage are one line (not 49 lines of libtorch frames).
    [InlineData("views.pt", "some tensors are views into one shared storage")]
    // Finding 16: a NaN or infinite weight is refused before anything is written, naming the tensor.
    [InlineData("nan.pt", "'layers.fc2.weight' holds NaN at flat index 1; initial weights must be finite")]
    [InlineData("inf.pt", "'layers.fc1.bias' holds +inf at flat index 1")]
    // Finding 21: what the file holds, in a PyTorch user's words, never .NET's internals.
    [InlineData("list.pt", "it holds a list, tuple or other object, not a dict of name → tensor")]
    [InlineData("whole.pt", "it holds a whole model (torch.save(model)), not its state_dict")]
    [InlineData("numpy.pt", "it holds Python objects other than tensors")]
    [InlineData("zip_named.safetensors", "is a zip archive (a torch.save file), not safetensors; name it .pt")]
    [InlineData("safetensors_named.pt", "is a safetensors file, not a torch.save (zip) file; name it .safetensors")]
    // Finding 8: data_offsets that lie are refused, naming the tensor, before any byte becomes a weight.
    [InlineData("st_negative.safetensors", "'layers.fc2.bias': data_offsets [-16,0] must be non-negative integers")]
    [InlineData("st_beyond.safetensors", "'layers.fc2.bias': data_offsets [1776, 1792] run past the end of the data")]
    [InlineData("st_overlap.safetensors", "overlap another tensor's bytes")]
    [InlineData("st_size.safetensors", "'layers.fc2.bias': data_offsets [1760, 1772] hold 12 bytes, but F32 [4] takes 16")]
    [InlineData("st_gap.safetensors", "'layers.fc2.bias': data_offsets [1764, 1780] leave bytes 1760..1763 to no tensor")]
    [InlineData("st_trailing.safetensors", "the tensors' data end at byte 1776 but the file holds 1784 data bytes")]
    [InlineData("st_header_length.safetensors", "not a safetensors file (its header length field says")]
    public void An_unusable_init_from_file_is_one_line_exit_2_nothing_written(string name, string expected)
    {
        string run = File("run-unusable-" + name);
        var (code, text) = CliHarness.Run(Train(File(name), run));
        Assert.Equal(2, code);
        string line = OneError(text);
        Assert.Contains(Squash(expected), line);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        Assert.DoesNotContain("frame#", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(run));
    }

    /// <summary>
    /// The one error line, without whitespace: the test console wraps it at 200 columns, at a space or inside a path,
    /// so the comparison ignores whitespace (<see cref="Squash"/> the expected text too).
    /// </summary>
    private static string OneError(string output)
    {
        string flat = Squash(output);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(flat, "sgdwalk:error:"));
        Assert.StartsWith("sgdwalk:error:", flat);
        return flat;
    }

    private static string Squash(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    [Fact]
    public void A_run_started_from_a_file_resumes_and_refuses_a_file_changed_since()
    {
        string whole = File("run-whole"), cut = File("run-cut"), weights = File("resumable.pt");
        System.IO.File.Copy(File("trained.pt"), weights, overwrite: true);
        Assert.Equal(0, CliHarness.Run(Train(weights, whole, "--overwrite")).ExitCode);
        using (var stop = new CancellationTokenSource())
        {
            stop.Cancel(); // interrupted before its first step
            var (stopped, text) = CliHarness.Run(stop.Token, Train(weights, cut, "--overwrite"));
            Assert.True(stopped == 130, text);
        }
        // Without its checkpoints, the run must start over from the file: it refuses one that changed since.
        Directory.Delete(Path.Combine(cut, "checkpoints"), recursive: true);
        System.IO.File.Copy(File("trained.safetensors"), weights, overwrite: true);
        byte[] manifest = System.IO.File.ReadAllBytes(Path.Combine(cut, "run.json"));
        var (code, output) = CliHarness.Run("resume", cut, "--no-report", "--restart");
        Assert.True(code == 2, output);
        Assert.Contains("changed since the run started", output.ReplaceLineEndings(""));
        // A refused resume touches nothing: run.json is byte for byte what it was (issue 21, finding 15).
        Assert.Equal(manifest, System.IO.File.ReadAllBytes(Path.Combine(cut, "run.json")));

        System.IO.File.Copy(File("trained.pt"), weights, overwrite: true);
        (code, output) = CliHarness.Run("resume", cut, "--no-report", "--restart");
        Assert.True(code == 0, output);
        Assert.Equal(System.IO.File.ReadAllBytes(Path.Combine(whole, "steps.csv")), System.IO.File.ReadAllBytes(Path.Combine(cut, "steps.csv")));
    }
}
