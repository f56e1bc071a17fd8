using System.Collections;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SgdWalk.Formats;

/// <summary>The formats a PyTorch user reads and writes weights in.</summary>
public enum WeightFormat
{
    /// <summary>One .npy file per tensor plus index.json (numpy.load).</summary>
    Npy,

    /// <summary>One .safetensors file (safetensors.torch.load_file, or any reader of the format).</summary>
    Safetensors,

    /// <summary>One .pt file holding a state_dict, as torch.save(model.state_dict()) writes it (torch.load(..., weights_only=True)).</summary>
    Pt,
}

/// <summary>
/// PyTorch state_dict files: a name → tensor map written as torch.save (.pt, a zip with a pickle, by TorchSharp.PyBridge)
/// or as safetensors, and read back from either. Names are the model's parameter and buffer names, so
/// `model.load_state_dict(torch.load(f, weights_only=True))` of an equivalent PyTorch module matches them strictly.
/// </summary>
public static class StateDictFile
{
    /// <summary>The format a file name implies: .safetensors, or .pt / .pth / .bin (torch.save); null for anything else.</summary>
    public static WeightFormat? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".safetensors" => WeightFormat.Safetensors,
        ".pt" or ".pth" or ".bin" => WeightFormat.Pt,
        _ => null,
    };

    /// <summary>Writes <paramref name="tensors"/> (CPU or not) in <paramref name="format"/> (Pt or Safetensors), replacing the file.</summary>
    public static void Write(string path, WeightFormat format, IEnumerable<(string Name, Tensor Value)> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        using var scope = NewDisposeScope();
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, value) in tensors) state[name] = value.detach().cpu().contiguous();
        // The Stream overloads: File.Create truncates (PyBridge's string-path SaveStateDict would leave a longer old file's tail).
        using var file = File.Create(path);
        if (format == WeightFormat.Pt) PyTorchPickler.PickleStateDict(file, state, leaveOpen: true);
        else if (format == WeightFormat.Safetensors) Safetensors.SaveStateDict(file, state, leaveOpen: true);
        else throw new ArgumentException($"{format} is a folder of .npy files, not one state_dict file", nameof(format));
    }

    /// <summary>Reads a state_dict file (.pt/.pth/.bin written by torch.save, or .safetensors). The caller owns the tensors.</summary>
    /// <exception cref="InvalidDataException">Not such a file, or damaged; one line naming the file (and the tensor, when one is at fault).</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        var format = FormatOf(path)
            ?? throw new InvalidDataException($"{path}: not a .pt, .pth, .bin (torch.save) or .safetensors file");
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: no such file");
        try
        {
            using var file = File.OpenRead(path);
            if (format == WeightFormat.Safetensors) return SafetensorsReader.Read(path, file);
            var magic = new byte[4];
            if (Npy.ReadFully(file, magic) && !magic.AsSpan().SequenceEqual("PK\u0003\u0004"u8) && file.Length > 9 && LooksLikeSafetensors(file))
                throw new InvalidDataException($"{path}: is a safetensors file, not a torch.save (zip) file; name it .safetensors");
            file.Position = 0;
            var table = PyTorchUnpickler.UnpickleStateDict(file);
            var state = new Dictionary<string, Tensor>();
            foreach (DictionaryEntry entry in table)
            {
                state[(string)entry.Key] = entry.Value as Tensor
                    ?? throw new InvalidDataException($"{path}: '{entry.Key}' is not a tensor; save model.state_dict() itself, not a dict around it");
            }
            return state;
        }
        catch (InvalidDataException e) when (e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A third-party parser of untrusted bytes (pickle, zip): whatever it throws means "not a readable file",
            // said in the user's terms, never with .NET's or libtorch's internals (type names, stack frames).
            throw new InvalidDataException($"{path}: not readable as a state_dict saved by torch.save (the zip format of PyTorch 1.6+): {Reason(e)}");
        }
    }

    /// <summary>An 8-byte length and then a JSON object: the start of a safetensors file (the stream is left anywhere).</summary>
    private static bool LooksLikeSafetensors(Stream file)
    {
        file.Position = 0;
        var head = new byte[9];
        if (!Npy.ReadFully(file, head)) return false;
        ulong length = BitConverter.ToUInt64(head, 0);
        return head[8] == (byte)'{' && length >= 2 && length <= (ulong)(file.Length - 8);
    }

    /// <summary>Why the unpickler refused the file, in words a PyTorch user acts on.</summary>
    private static string Reason(Exception e)
    {
        string message = e.Message;
        // libtorch appends its C++ stack ("Exception raised from ... (most recent call first): frame #0 ...").
        int frames = message.IndexOf("Exception raised from", StringComparison.Ordinal);
        if (frames >= 0) message = message[..frames];
        message = message.ReplaceLineEndings(" ").Trim();
        if (message.Contains("setStorage", StringComparison.Ordinal) || message.Contains("out of bounds for storage", StringComparison.Ordinal))
            return "some tensors are views into one shared storage (slices of a bigger tensor), which cannot be read here; " +
                "save {k: v.clone() for k, v in state_dict.items()}";
        if (e is InvalidCastException)
            return "it holds a list, tuple or other object, not a dict of name → tensor; save model.state_dict()";
        if (e is NotImplementedException && message.Contains("entire model", StringComparison.Ordinal))
            return "it holds a whole model (torch.save(model)), not its state_dict; save model.state_dict()";
        if (message.Contains("IObjectConstructor", StringComparison.Ordinal) || message.Contains("ClassDict", StringComparison.Ordinal)
            || message.Contains("unregistered class", StringComparison.Ordinal))
            return "it holds Python objects other than tensors (numpy arrays, a model, other classes); save a dict of tensors only " +
                "(model.state_dict())";
        if (e is InvalidDataException or IOException or EndOfStreamException) return message.TrimEnd('.');
        return "damaged, or not written by torch.save";
    }

    /// <summary>
    /// The state a model exchanges with PyTorch: its parameters (trainable or not) and buffers, each once, by name —
    /// what `sgdwalk export` writes and `--init-from` expects.
    /// </summary>
    public static List<(string Name, Tensor Value)> StateOf(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(model.named_buffers().Select(b => (b.name, b.buffer))).ToList();
    }

    /// <summary>
    /// Copies a state_dict file into <paramref name="model"/>, strictly: every name of <see cref="StateOf"/> must be in the
    /// file with the same shape and dtype, and nothing else may be. Parameters keep requires_grad.
    /// </summary>
    /// <exception cref="InvalidDataException">The file cannot be read, or does not match: one line listing every missing,
    /// unexpected and mismatched key.</exception>
    public static void LoadInto(nn.Module model, string path)
    {
        var loaded = Read(path);
        try
        {
            var live = StateOf(model);
            if (Mismatch(path, live, loaded) is { } problem) throw new InvalidDataException(problem);
            if (NonFinite(path, live.Select(l => (l.Name, loaded[l.Name]))) is { } bad) throw new InvalidDataException(bad);
            using var noGrad = no_grad();
            foreach (var (name, value) in live) value.copy_(loaded[name]);
        }
        finally
        {
            foreach (var tensor in loaded.Values) tensor.Dispose();
        }
    }

    /// <summary>Every way <paramref name="file"/> differs from <paramref name="model"/>'s state, in one line; null when it matches.</summary>
    public static string? Mismatch(string path, IReadOnlyList<(string Name, Tensor Value)> model, IReadOnlyDictionary<string, Tensor> file)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(file);
        var names = model.Select(m => m.Name).ToHashSet();
        var missing = model.Where(m => !file.ContainsKey(m.Name)).Select(m => m.Name).ToList();
        var unexpected = file.Keys.Where(k => !names.Contains(k)).ToList();
        var mismatched = model.Where(m => file.TryGetValue(m.Name, out var f) && (!f.shape.SequenceEqual(m.Value.shape) || f.dtype != m.Value.dtype))
            .Select(m => $"{m.Name} is {Describe(file[m.Name])} in the file, {Describe(m.Value)} in the model").ToList();
        if (missing.Count + unexpected.Count + mismatched.Count == 0) return null;
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"missing keys: {string.Join(", ", missing)}");
        if (unexpected.Count > 0) parts.Add($"unexpected keys: {string.Join(", ", unexpected)}");
        if (mismatched.Count > 0) parts.Add($"mismatched: {string.Join("; ", mismatched)}");
        return $"{path}: does not match the model's state_dict ({string.Join(" | ", parts)}); `sgdwalk export` of a run of this model " +
            "lists the names and shapes it expects";
    }

    /// <summary>The first NaN or infinity in floating-point <paramref name="tensors"/>, as one line naming the tensor; null when all are finite.</summary>
    public static string? NonFinite(string path, IEnumerable<(string Name, Tensor Value)> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var (name, value) in tensors)
        {
            if (!value.is_floating_point() || value.numel() == 0) continue;
            using var scope = NewDisposeScope();
            var finite = value.isfinite().flatten();
            if (finite.all().item<bool>()) continue;
            long at = finite.logical_not().to_type(ScalarType.Int32).argmax().item<long>();
            double v = value.flatten()[at].to_type(ScalarType.Float64).item<double>();
            return $"{path}: '{name}' holds {(double.IsNaN(v) ? "NaN" : v > 0 ? "+inf" : "-inf")} at flat index {at}; initial weights " +
                "must be finite (a diverged or damaged checkpoint?)";
        }
        return null;
    }

    private static string Describe(Tensor t) => $"{t.dtype.ToString().ToLowerInvariant()}[{string.Join(",", t.shape)}]";
}
