using System.Globalization;
using System.Text.Json;

namespace SgdWalk.Bench.Reference;

/// <summary>
/// The PyTorch reference's measurements for one model × threads: the JSON object on the last line of
/// pytorch_bench.py's standard output (times in ms, the profile's 11 losses, ‖Hv‖ and v·Hv, its matmul rate).
/// </summary>
public sealed record ReferenceResult(
    string TorchVersion, string PythonVersion, string Blas, int Threads, string Model,
    double TrainStepMs, double ProfileMs, IReadOnlyList<double> ProfileLosses,
    double HvpMs, double HvpNorm, double HvpDot, double MatmulGflops, double PeakRssMb)
{
    /// <summary>Cores other processes kept busy while the reference ran, when it reports it (optional key `other_load`).</summary>
    public double? OtherLoad { get; init; }

    /// <summary>The whole object as the script printed it, extra keys included (kept in bench.json).</summary>
    public JsonElement Raw { get; init; }

    /// <summary>The keys the contract promises (bench/reference/pytorch_bench.py).</summary>
    public static readonly string[] Keys =
    [
        "torch_version", "python_version", "blas", "threads", "model", "train_step_ms", "profile_ms", "profile_losses",
        "hvp_ms", "hvp_norm", "hvp_dot", "matmul_gflops", "peak_rss_mb",
    ];

    /// <summary>Reads the last non-empty line of the script's output.</summary>
    /// <exception cref="FormatException">Anything but a JSON object with every expected key; the message quotes the line.</exception>
    public static ReferenceResult Parse(string stdout)
    {
        string line = stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? "";
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(line);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new FormatException($"the PyTorch reference did not end its output with a JSON object (last line: '{Shorten(line)}')");
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new FormatException($"the PyTorch reference's last line is JSON but not an object: '{Shorten(line)}'");

        var missing = Keys.Where(k => !root.TryGetProperty(k, out var v) || v.ValueKind == JsonValueKind.Null).ToArray();
        if (missing.Length > 0)
            throw new FormatException($"the PyTorch reference's output lacks {string.Join(", ", missing.Select(k => $"'{k}'"))}");

        JsonElement Key(string name) => root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value : throw new FormatException($"the PyTorch reference's output lacks '{name}'");
        string Text(string name) => Key(name) is { ValueKind: JsonValueKind.String } v ? v.GetString()! : Key(name).ToString();
        double Number(string name) => Key(name) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble()
            : throw new FormatException($"the PyTorch reference's '{name}' is not a number ({Key(name)})");

        var losses = Key("profile_losses");
        if (losses.ValueKind != JsonValueKind.Array || losses.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number))
            throw new FormatException("the PyTorch reference's 'profile_losses' is not a list of numbers");
        return new ReferenceResult(
            Text("torch_version"), Text("python_version"), Text("blas"), (int)Number("threads"), Text("model"),
            Number("train_step_ms"), Number("profile_ms"), losses.EnumerateArray().Select(v => v.GetDouble()).ToArray(),
            Number("hvp_ms"), Number("hvp_norm"), Number("hvp_dot"), Number("matmul_gflops"), Number("peak_rss_mb"))
        {
            OtherLoad = root.TryGetProperty("other_load", out var other) && other.ValueKind == JsonValueKind.Number ? other.GetDouble() : null,
            Raw = root,
        };
    }

    private static string Shorten(string line) =>
        line.Length <= 120 ? line : string.Create(CultureInfo.InvariantCulture, $"{line[..117]}...");
}
