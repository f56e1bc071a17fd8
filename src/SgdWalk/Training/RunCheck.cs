using System.Globalization;
using SgdWalk.Data;
using SgdWalk.Formats;
using SgdWalk.Models;
using SgdWalk.Platform;

namespace SgdWalk.Training;

/// <summary>
/// Everything that can be known about a run before it starts, checked before anything is written: the options
/// (<see cref="TrainOptions.Validate"/>), then the options against the data (sizes against the training split), the
/// device, the memory the model and data would take (estimated from the architecture, so nothing huge is allocated),
/// and the model on the data's shape (one trial batch of two). Each problem is one line naming the option.
/// </summary>
public static class RunCheck
{
    /// <summary>The problems of one run (empty when it can start).</summary>
    /// <param name="memoryBytes">The machine's memory; null = read it (/proc/meminfo MemTotal, else the GC's view).</param>
    /// <param name="folder">The run folder to be: its disk must have room for the checkpoints kept (null = not checked).</param>
    public static IReadOnlyList<string> Check(TrainOptions options, long? memoryBytes = null, string? folder = null) =>
        Check([options], memoryBytes, folder);

    /// <summary>The problems of several runs (a sweep's cells), each distinct problem once; models are tried once per shape.</summary>
    public static IReadOnlyList<string> Check(IEnumerable<TrainOptions> runs, long? memoryBytes = null) => Check(runs, memoryBytes, null);

    private static IReadOnlyList<string> Check(IEnumerable<TrainOptions> runs, long? memoryBytes, string? folder)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var errors = new List<string>();
        var shapes = new Dictionary<(string, string?), DataShape?>();
        var trials = new HashSet<string>();
        long memory = memoryBytes ?? MachineMemory();
        foreach (var requested in runs)
        {
            var problems = requested.Validate();
            if (problems.Count == 0) problems = CheckAgainstData(requested.Resolve(), shapes, trials, memory, folder);
            errors.AddRange(problems);
        }
        return errors.Distinct().ToList();
    }

    private static List<string> CheckAgainstData(TrainOptions options, Dictionary<(string, string?), DataShape?> shapes, HashSet<string> trials, long memory,
        string? folder)
    {
        var errors = new List<string>();
        bool torchScript = TorchScriptModel.Names(options.Model);
        if (!torchScript && !ModelZoo.Known.Any(m => m.Name == options.Model))
            errors.Add($"--model: unknown model '{options.Model}'; known models: {string.Join(", ", ModelZoo.Known.Select(m => m.Name))}");
        if (options.Device.StartsWith("cuda", StringComparison.Ordinal) && !TorchSharp.torch.cuda.is_available())
            errors.Add($"--device {options.Device}: this build of libtorch has no CUDA support (or no GPU is visible); use --device cpu");

        var dataOptions = new DataOptions(options.Dataset, options.DataDir, options.ValidationSize, options.TrainSize, options.Seed);
        DataShape? shape;
        try
        {
            if (!shapes.TryGetValue((options.Dataset, options.DataDir), out shape))
                shapes[(options.Dataset, options.DataDir)] = shape = DataShape.Describe(dataOptions);
        }
        catch (Exception e) when (e is ArgumentException or IOException or DataFormatException)
        {
            errors.Add(e.Message);
            return errors;
        }
        // Unreadable headers: the loader names the file and the problem when the run starts.
        if (shape is null || errors.Count > 0) return errors;

        var (train, validation, problem) = shape.Split(dataOptions);
        if (problem is not null)
        {
            errors.Add(problem);
            return errors;
        }
        // A batch larger than the split would silently be the whole split, while run.json says otherwise.
        if (options.BatchSize > train)
            errors.Add($"--batch-size {options.BatchSize} is larger than the training split ({train} " +
                $"images{(options.TrainSize is null ? "" : ", from --train-size")}); use at most {train}");
        // The alignment's gradient batches come from the training split outside the probe view.
        if (options.Recorder.Alignment is { Enabled: true, BatchSizes.Count: > 0 } alignment && options.ProbeSize is int probeSize
            && alignment.BatchSizes.Max() > train - Math.Min(probeSize, train))
            errors.Add($"--alignment-batch-sizes: a batch of {alignment.BatchSizes.Max()} does not fit in the {train - Math.Min(probeSize, train)} training " +
                $"images outside the probe view ({train} minus --probe-size {probeSize}); use smaller batches or a smaller probe view");
        long stepsPerEpoch = (train + (long)options.BatchSize - 1) / options.BatchSize;
        if (options.Steps is null && options.Epochs * stepsPerEpoch > int.MaxValue)
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"--epochs {options.Epochs} gives {options.Epochs * stepsPerEpoch} steps, more than {int.MaxValue}; use fewer epochs or --steps"));

        var spec = new ModelSpec(shape.Channels, shape.Height, shape.Width, shape.Classes, options.Hidden, options.ModelBatchNorm, options.Depth);
        if (errors.Count == 0 && Memory(options, spec, shape, train, validation) is var (need, parameters) && need > memory)
            errors.Add($"the run would need about {Gigabytes(need)} GB ({Count(parameters)} parameters, " +
                $"{Count((double)train + validation + shape.Test)} images of {shape.Channels}x{shape.Height}x{shape.Width}), " +
                $"more than this machine's {Gigabytes(memory)} GB; use a smaller --hidden, --depth, --train-size or --batch-size");
        // The checkpoints kept (plus one being written) must fit on the folder's disk: refused here, before the folder,
        // its lock or run.json exist (the run checks again with the built model, as a backstop).
        if (errors.Count == 0 && folder is not null && DiskProblem(options, folder, Memory(options, spec, shape, train, validation).Parameters) is { } disk)
            errors.Add(disk);
        if (errors.Count == 0 && trials.Add($"{options.Model}|{string.Join(",", options.Hidden ?? [])}|{options.ModelBatchNorm}|{options.Depth}|" +
                $"{spec.Channels}x{spec.Height}x{spec.Width}x{spec.Classes}|{options.MicroBatch}|{options.EvaluationChunkSize}")
            && ModelProblem(options, spec, torchScript) is { } failure)
            errors.Add($"--model {options.Model} on {options.Dataset}: {failure}");
        if (errors.Count == 0 && options.InitFrom is not null && InitialWeightsProblem(options, spec) is { } weights)
            errors.Add($"--init-from {weights}");
        return errors;
    }

    /// <summary>The model tried on the data's shape: a zoo model on a batch of two and, when it has a narrow convolution,
    /// against float64 (<see cref="ConvolutionGuard"/>); a TorchScript file through <see cref="TorchScriptCheck"/>.</summary>
    private static string? ModelProblem(TrainOptions options, ModelSpec spec, bool torchScript)
    {
        if (torchScript) return TorchScriptCheck.Problem(TorchScriptModel.PathOf(options.Model), spec, options.MicroBatch, options.EvaluationChunkSize);
        if (!ModelZoo.Known.Any(m => m.Name == options.Model)) return null;
        return ModelCheck.Trial(options.Model, spec) ?? ModelCheck.ConvolutionProblem(options.Model, spec);
    }

    /// <summary>Why the --init-from file cannot start this model (unreadable, or keys, shapes or dtypes that differ); null when it can.</summary>
    private static string? InitialWeightsProblem(TrainOptions options, ModelSpec spec)
    {
        bool torchScript = TorchScriptModel.Names(options.Model);
        if (!torchScript && !ModelZoo.Known.Any(m => m.Name == options.Model)) return null;
        using var model = torchScript ? TorchScriptModel.Load(TorchScriptModel.PathOf(options.Model)) : ModelZoo.Create(options.Model, spec);
        try
        {
            StateDictFile.LoadInto(model, options.InitFrom!);
            return null;
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }
    }

    /// <summary>Why the disk under <paramref name="folder"/> cannot hold the run's checkpoints; null when it can (or cannot be told).</summary>
    private static string? DiskProblem(TrainOptions options, string folder, double parameters)
    {
        string path = Path.GetFullPath(folder);
        string? existing = path;
        while (existing is not null && !Directory.Exists(existing)) existing = Path.GetDirectoryName(existing);
        if (existing is null) return null;
        long free;
        try
        {
            var drive = new DriveInfo(existing);
            // A pseudo file system (/proc: no size at all) is no disk; writing there fails with its own message later.
            if (drive.TotalSize == 0) return null;
            free = drive.AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return null; }
        // As the run estimates it with its model: parameters, momentum and three probe vectors per checkpoint, plus 1 MB.
        double checkpoint = parameters * 4 * (options.Momentum > 0 ? 5 : 4) + (1 << 20);
        double need = checkpoint * ((double)options.KeepCheckpoints + 2);
        if (free >= need) return null;
        return string.Create(CultureInfo.InvariantCulture, $"{path}: the disk has {free / 1e6:F1} MB free, the run needs about {need / 1e6:F1} MB " +
            $"({options.KeepCheckpoints} checkpoints kept, plus one being written); free space, keep fewer with --keep-checkpoints, or choose another --out");
    }

    /// <summary>A lower estimate of the bytes the run holds at once, and the parameter count.</summary>
    private static (double Bytes, double Parameters) Memory(TrainOptions options, ModelSpec spec, DataShape shape, int train, int validation)
    {
        // A TorchScript file's size bounds its parameters; its activations are unknown here (its own check runs it).
        bool torchScript = TorchScriptModel.Names(options.Model);
        string? file = torchScript ? TorchScriptModel.PathOf(options.Model) : null;
        double parameters = torchScript ? (File.Exists(file) ? new FileInfo(file).Length / 4.0 : 0) : ModelCheck.Parameters(options.Model, spec);
        // Parameters, gradients, momentum, θ_0 and the recorder's vectors (θ_t, g_t, g_{t−1}, u_{t−1}): 8 copies.
        double model = parameters * 4 * 8;
        int chunk = Math.Max(options.MicroBatch, options.EvaluationChunkSize);
        double activations = torchScript ? 0 : ModelCheck.ActivationFloats(options.Model, spec) * chunk * 4 * 2;
        double probe = Math.Min(options.ProbeSize ?? train, train);
        // The loaded splits as floats, plus the probe view and its evaluation copy.
        double data = ((double)train + validation + shape.Test + 2 * probe) * shape.Pixels * 4;
        return (model + activations + data, parameters);
    }

    /// <summary>The machine's physical memory: a fixed bound, so the check does not depend on what else is running.</summary>
    internal static long MachineMemory()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.None,
                CultureInfo.InvariantCulture, out long kb))
                return kb * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or /proc hidden: the runtime's view below.
        }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    private static string Gigabytes(double bytes) => (bytes / (1L << 30)).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Count(double n) => n switch
    {
        >= 1e9 => (n / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + " billion",
        >= 1e6 => (n / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + " million",
        _ => n.ToString("0", CultureInfo.InvariantCulture),
    };
}
