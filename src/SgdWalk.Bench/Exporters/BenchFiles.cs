using System.Globalization;
using System.Text;
using System.Text.Json;
using SgdWalk.Bench.Primitives;
using SgdWalk.Records;

namespace SgdWalk.Bench.Exporters;

/// <summary>
/// The output folder's files: bench.json (everything), bench.csv (one row per model × threads × workload, invariant
/// culture) and bench.md (ready-to-paste tables of medians and ratios). Each is written to a temporary file and renamed.
/// </summary>
public static class BenchFiles
{
    public static readonly string[] CsvColumns =
    [
        "model", "threads", "workload", "sgdwalk_ms", "sgdwalk_min_ms", "sgdwalk_max_ms", "repeats", "pytorch_ms", "ratio",
        "flops", "gflops", "matmul_fraction", "peak_mb", "factor", "factor_min", "factor_max", "steps", "recorded_steps",
    ];

    public static void WriteAll(string folder, BenchResult result)
    {
        Directory.CreateDirectory(folder);
        Write(Path.Combine(folder, "bench.json"), JsonSerializer.Serialize(result, RunManifest.Json) + "\n");
        Write(Path.Combine(folder, "bench.csv"), Csv(result));
        Write(Path.Combine(folder, "bench.md"), Markdown(result));
    }

    public static string Csv(BenchResult result)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join(',', CsvColumns));
        foreach (var block in result.Results)
        {
            string Prefix(string workload) => $"{CsvFormat.Text(block.Model)},{CsvFormat.Integer(block.Threads)},{CsvFormat.Text(workload)}";
            foreach (var w in block.Workloads)
                text.AppendLine(string.Join(',', Prefix(w.Workload), N(w.Timings.Median), N(w.Timings.Min), N(w.Timings.Max),
                    CsvFormat.Integer(w.Timings.Milliseconds.Count), N(w.ReferenceMs), N(w.Ratio), N(w.Flops), N(w.Gflops), N(w.MatmulFraction),
                    N(w.PeakMb), "", "", "", "", ""));
            if (block.DefaultRun is { } run)
                text.AppendLine(string.Join(',', Prefix("default_run"), N(run.WallMs), "", "", "1", "", "", "", "", "", N(run.PeakMb), "", "", "",
                    CsvFormat.Integer(run.Steps), ""));
            foreach (var p in block.Presets)
                text.AppendLine(string.Join(',', Prefix("preset_" + p.Preset), N(p.MeanStepMs), "", "", CsvFormat.Integer(p.Runs), "", "",
                    "", "", "", N(p.PeakMb), N(p.Factor), N(p.FactorMin), N(p.FactorMax), CsvFormat.Integer(p.Steps), CsvFormat.Integer(p.RecordedSteps)));
        }
        return text.ToString();
    }

    public static string Markdown(BenchResult result)
    {
        var md = new StringBuilder();
        var m = result.Machine;
        string Get(string key) => m.TryGetValue(key, out var value) ? value : "?";
        md.AppendLine(Invariant($"# sgdwalk bench, {result.StartedUtc:yyyy-MM-dd HH:mm} UTC ({result.Status})"));
        md.AppendLine();
        md.AppendLine($"- machine: {Get("cpu_model")}, {Get("cores")} cores, {Get("memory_total")}, {Get("distribution")}, Linux {Get("kernel")}; " +
            $"GLIBC_TUNABLES={Get("glibc_tunables")}");
        md.AppendLine($"- software: .NET {Version(result, "dotnet")}, TorchSharp {Version(result, "torchsharp")}, libtorch " +
            $"{Version(result, "libtorch")}, SgdWalk {Version(result, "sgdwalk")}");
        md.AppendLine($"- load average (1, 5, 15 min) at start {Get("load_average_start")}, at end {Get("load_average_end")}");
        md.AppendLine($"- command: `sgdwalk {string.Join(' ', result.Command)}`");
        md.AppendLine($"- reference: {result.Reference}{(result.ReferenceProblem is { } why ? " (" + why + ")" : "")}");
        md.AppendLine(Invariant($"- medians of {result.Plan.Repeats} repetitions (training step: of {result.Plan.TimedTrainSteps} single steps); ") +
            Invariant($"ratio = SgdWalk ÷ PyTorch, below 1 SgdWalk is faster"));
        md.AppendLine($"- FLOPs: {result.FlopConvention}");
        md.AppendLine($"- memory: {result.MemoryMethod}; MB = MiB");
        if (result.Message is { } message) md.AppendLine($"- stopped: {message}");
        foreach (var block in result.Results)
        {
            md.AppendLine();
            md.AppendLine(Invariant($"## {block.Model}, {block.Threads} thread{(block.Threads == 1 ? "" : "s")} ") +
                Invariant($"(matmul {BenchRows.Fixed(block.MatmulGflops, 1)} GFLOP/s)"));
            md.AppendLine();
            Table(md, BenchRows.WorkloadHeader, BenchRows.Workloads(block));
            md.AppendLine();
            foreach (var note in BenchRows.Notes(block)) md.AppendLine("- " + note);
        }
        if (result.Results.Any(b => b.Presets.Count > 0))
        {
            md.AppendLine();
            md.AppendLine("## Probe presets over plain training (the library's Trainer, interleaved rounds)");
            md.AppendLine();
            Table(md, BenchRows.PresetHeader, result.Results.SelectMany(BenchRows.Presets));
            md.AppendLine();
            md.AppendLine("- factor: median over rounds of (mean step time of the preset ÷ that of `none` in the same round); step-median factor: " +
                "median single step ÷ `none`'s");
            foreach (var note in result.Results.SelectMany(BenchRows.PresetNotes)) md.AppendLine("- " + note);
        }
        md.AppendLine();
        md.AppendLine("## Targets");
        md.AppendLine();
        Table(md, ["target", "measured"], Targets(result));
        return md.ToString();
    }

    /// <summary>
    /// Issue 15's speed and memory targets next to what this run measured ("—" where this run did not measure it). The
    /// sweep target (lr-vs-batch with --jobs 2 ≥ 1.6× the cells per hour of one cell at a time) needs a sweep of its
    /// own and is measured outside the bench (bench/RESULTS.md gives the command).
    /// </summary>
    public static IEnumerable<string[]> Targets(BenchResult result)
    {
        string PerThreads(string model, Func<BlockResult, string?> cell) =>
            string.Join("; ", result.Results.Where(b => b.Model == model).Select(b => (b, cell(b))).Where(p => p.Item2 is not null)
                .Select(p => $"{p.Item2} ({p.b.Threads}t)")) is { Length: > 0 } s ? s : "—";
        string? Ratio(BlockResult b, string workload) => b[workload]?.Ratio is { } r ? BenchRows.Fixed(r, 2) : null;
        string? Steps(double value) => double.IsFinite(value) ? BenchRows.Fixed(value, 1) : null;
        yield return ["mlp recorded step, 11-point grid, previous step recorded ≤ 55 training steps",
            PerThreads("mlp", b => Steps(b.ConsecutiveRecordedStepInTrainSteps))];
        yield return ["mlp recorded step, adaptive grid ≤ 35 training steps",
            PerThreads("mlp", b => Steps(b.AdaptiveRecordedStepInTrainSteps))];
        yield return ["mlp profile (11 × 5000) ≥ 3× faster than plain PyTorch: ratio ≤ 0.33", PerThreads("mlp", b => Ratio(b, "profile"))];
        yield return ["libtorch matmul 2000³ level with OpenBLAS under PyTorch: ratio ≤ 1.0", PerThreads("mlp", b => Ratio(b, "matmul"))];
        yield return ["cheap preset ≤ 1.15× plain training at 1 and 2 threads",
            string.Join("; ", result.Results.SelectMany(b => b.Presets.Where(p => p.Preset == "cheap")
                .Select(p => $"{BenchRows.Fixed(p.Factor, 3)} ({b.Model} {b.Threads}t)"))) is { Length: > 0 } c ? c : "—"];
        yield return ["mlp default walk (550 steps, 100 recorded, own process) peak ≤ 650 MB, growth after recorded step 3 ≤ 30 MB",
            PerThreads("mlp", b => b.DefaultRun is { PeakMb: var peak } run && double.IsFinite(peak)
                ? $"{BenchRows.Fixed(peak, 0)} MB, +{BenchRows.Fixed(run.GrowthAfterSettleMb, 0)} MB after settling" : null)];
        yield return ["small-cnn walk (60 steps, 10 recorded) peak ≤ 1.2 GB",
            PerThreads("small-cnn", b => b.DefaultRun is { PeakMb: var peak } && double.IsFinite(peak) ? $"{BenchRows.Fixed(peak, 0)} MB" : null)];
        yield return ["small-cnn profile (11 × 5000) ≤ 1.0× PyTorch", PerThreads("small-cnn", b => Ratio(b, "profile"))];
        yield return ["HVP ≤ 1.2× PyTorch at 1 and 2 threads (small-cnn ≤ 1.0×)",
            string.Join("; ", new[] { "mlp", "small-cnn" }.Select(m => PerThreads(m, b => Ratio(b, "hvp")) is var v && v != "—" ? $"{m} {v}" : null)
                .Where(v => v is not null)) is { Length: > 0 } h ? h : "—"];
    }

    private static void Table(StringBuilder md, string[] header, IEnumerable<string[]> rows)
    {
        md.AppendLine("| " + string.Join(" | ", header) + " |");
        md.AppendLine("|" + string.Concat(header.Select((_, i) => i == 0 ? " --- |" : " ---: |")));
        foreach (var row in rows) md.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
    }

    private static string Version(BenchResult result, string key) => result.Versions.TryGetValue(key, out var v) ? v : "?";

    private static string N(double value) => CsvFormat.Number(value);

    private static string N(double? value) => CsvFormat.Number(value);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void Write(string path, string text)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
