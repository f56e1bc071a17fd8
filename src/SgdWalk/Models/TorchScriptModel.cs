using System.Runtime.InteropServices;
using System.Security.Cryptography;
using SgdWalk.Platform;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// A scripted PyTorch module (`torch.jit.script(model).save(path)`, or the companion's `save_model`) as a model of
/// this library (`--model torchscript:PATH`). The loaded module is registered as the submodule "net", so train()/eval()
/// and disposal reach it, but the parameter and buffer names are the module's own, exactly the keys of its Python
/// `state_dict`: steps.csv columns, checkpoints and exports then speak the user's names. The model is opaque: no
/// BatchNorm grouping and no first-layer shortcut, so probes take the plain path.
/// </summary>
public sealed class TorchScriptModel : nn.Module<Tensor, Tensor>
{
    public const string Prefix = "torchscript:";

    private readonly jit.ScriptModule net;

    private TorchScriptModel(jit.ScriptModule net, string path, string sha256, TorchScriptSidecar? sidecar) : base(nameof(TorchScriptModel))
    {
        this.net = net;
        (Path, Sha256, Sidecar) = (path, sha256, sidecar);
        register_module("net", net);
    }

    /// <summary>The file, as given after the prefix.</summary>
    public string Path { get; }

    /// <summary>SHA-256 of the file's bytes, lower-case hex.</summary>
    public string Sha256 { get; }

    /// <summary>The companion's description of the file (`PATH.json`), when present.</summary>
    public TorchScriptSidecar? Sidecar { get; }

    /// <summary>Whether a --model value names a TorchScript file rather than a zoo model.</summary>
    public static bool Names(string? model) => model?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    /// <summary>A --model value as part of a folder name: a zoo name as it is, a TorchScript file as `torchscript-STEM`.</summary>
    public static string FolderName(string model) =>
        Names(model) ? "torchscript-" + System.IO.Path.GetFileNameWithoutExtension(PathOf(model)) : model;

    /// <summary>A --model value with the file's path made absolute, so run.json, resume and sweep cells find it from anywhere.</summary>
    public static string Qualify(string model) =>
        Names(model) && PathOf(model).Length > 0 ? Prefix + System.IO.Path.GetFullPath(PathOf(model)) : model;

    /// <summary>The path of a `torchscript:PATH` model name.</summary>
    public static string PathOf(string model) => model[Prefix.Length..];

    /// <summary>
    /// Loads the file. Its graph runs unoptimised (see <see cref="TorchScriptRuntime"/>), so every call computes the
    /// same numbers as eager PyTorch's op-by-op execution, from the first call on.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="dtype">Float32 for a walk; Float64 for <see cref="ConvolutionGuard"/>'s reference copy.</param>
    /// <exception cref="ArgumentException">The file is missing, unreadable or not TorchScript (one line naming it).</exception>
    public static TorchScriptModel Load(string path, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0) throw new ArgumentException("--model torchscript:PATH needs a file after 'torchscript:'");
        if (!File.Exists(path)) throw new ArgumentException($"{path}: no such TorchScript file");
        string sha256;
        try
        {
            using var stream = File.OpenRead(path);
            sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{path}: cannot be read ({e.Message})");
        }
        var sidecar = TorchScriptSidecar.Read(path, sha256);
        TorchScriptRuntime.Configure();
        ProcessSwitches.Configure();
        jit.ScriptModule net;
        try
        {
            net = jit.load(path);
            if (dtype != ScalarType.Float32) net.to(dtype);
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
        {
            throw new ArgumentException($"{path}: not a TorchScript file libtorch can load ({e.Message.Split('\n')[0].Trim()})");
        }
        return new TorchScriptModel(net, path, sha256, sidecar);
    }

    public override Tensor forward(Tensor input)
    {
        object? output;
        try
        {
            output = net.forward(input);
        }
        catch (ArgumentOutOfRangeException)
        {
            // TorchSharp cannot convert some TorchScript values (a dict) and fails with an index error of its own.
            throw new InvalidOperationException($"{Path}: forward returns a value SgdWalk cannot read (a dict?), not one tensor of logits; {OneTensor}");
        }
        return output is Tensor logits ? logits
            : throw new InvalidOperationException($"{Path}: forward returns {Describe(output)}, not one tensor of logits; {OneTensor}");
    }

    private const string OneTensor = "wrap the model so that forward returns only the logits [N, classes]";

    /// <summary>A forward pass's output in the words of Python, not of .NET (a tuple, a list, ...).</summary>
    private static string Describe(object? output) => output switch
    {
        null => "nothing",
        System.Runtime.CompilerServices.ITuple tuple => $"a tuple of {tuple.Length} values",
        System.Collections.ICollection list => $"a list of {list.Count} values",
        string => "a string",
        bool or int or long or double or float => "a number",
        _ => "a value that is not a tensor",
    };

    /// <summary>
    /// The module's own names, without the "net." an ordinary submodule would add; a parameter shared under two names
    /// (tied weights, <c>self.b = self.a</c>) once, under its first name, as PyTorch's <c>parameters()</c> gives it: listed
    /// twice, it would be stepped twice per update and counted twice in every norm.
    /// </summary>
    public override IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true) =>
        recurse ? Distinct(net.named_parameters()) : [];

    private static IEnumerable<(string name, Parameter parameter)> Distinct(IEnumerable<(string name, Parameter parameter)> parameters)
    {
        var seen = new HashSet<(IntPtr Storage, long Offset, string Shape)>();
        foreach (var (name, p) in parameters)
            if (seen.Add((StorageData(p.Handle), p.storage_offset(), string.Join("x", p.shape)))) yield return (name, p);
    }

    // TorchSharp's own glue: the address of a tensor's storage (its Storage<T> wrapper would convert the dtype first).
    [DllImport("LibTorchSharp", EntryPoint = "THSStorage_data_ptr")]
    private static extern IntPtr StorageData(IntPtr tensor);

    public override IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true, bool include_nonpersistent = true) =>
        recurse ? net.named_buffers(true, include_nonpersistent) : [];

    /// <summary>In PyTorch's order: module by module, each module's parameters, then its buffers.</summary>
    public override Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null)
    {
        destination ??= new Dictionary<string, Tensor>();
        // Every name, tied ones included: PyTorch's state_dict has a key per name.
        var entries = net.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(named_buffers()).ToList();
        var modules = entries.Select(e => Owner(e.Item1)).Distinct().ToList();
        foreach (var (name, tensor) in entries.OrderBy(e => modules.IndexOf(Owner(e.Item1)))) // OrderBy is stable
            destination.TryAdd(string.IsNullOrEmpty(prefix) ? name : $"{prefix}.{name}", tensor);
        return destination;

        static string Owner(string name) => name.LastIndexOf('.') is var dot and >= 0 ? name[..dot] : "";
    }

    /// <summary>Only the scripted module itself: its inner modules are libtorch's, not TorchSharp layers.</summary>
    public override IEnumerable<(string name, nn.Module module)> named_modules() => [("net", net)];
}
