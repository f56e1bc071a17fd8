using System.Globalization;
using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Models;
using SgdWalk.Probes;
using SgdWalk.Training;

namespace SgdWalk.Cli.Commands;

/// <summary>Turns the command line's text into <see cref="TrainOptions"/>; every problem becomes a readable message.</summary>
public static class OptionParsing
{
    public static (TrainOptions Options, List<string> Errors) ToOptions(TrainSettings s)
    {
        var (options, errors) = ToOptions(s, s.LearningRate, s.BatchSize, s.Seed);
        errors.AddRange(options.Validate());
        return (options, errors);
    }

    /// <summary>The shared options with one learning rate, batch size and seed (a sweep passes each cell's); not yet validated.</summary>
    public static (TrainOptions Options, List<string> Errors) ToOptions(RunSettings s, double learningRate, int batchSize, long seed)
    {
        var errors = new List<string>();
        T Parse<T>(Func<T> parse, T fallback)
        {
            try { return parse(); }
            catch (FormatException e) { errors.Add(e.Message); return fallback; }
        }

        var options = new TrainOptions
        {
            Model = TorchScriptModel.Qualify(s.Model),
            Hidden = s.Hidden is null ? null : Parse(() => Hidden(s.Hidden), null),
            ModelBatchNorm = !s.NoModelBatchNorm,
            Depth = s.Depth,
            InitFrom = string.IsNullOrEmpty(s.InitFrom) ? s.InitFrom : Path.GetFullPath(s.InitFrom),
            Dataset = NpzDataset.Qualify(s.Dataset),
            DataDir = s.DataDir,
            ValidationSize = s.ValidationSize,
            TrainSize = s.TrainSize,
            Augment = s.Augment,
            LearningRate = learningRate,
            BatchSize = batchSize,
            ChunkSize = s.ChunkSize,
            Epochs = s.Epochs,
            Steps = s.Steps,
            StopLoss = s.StopLoss,
            EndCurvature = s.EndCurvature,
            Momentum = s.Momentum,
            Nesterov = s.Nesterov,
            WeightDecay = s.WeightDecay,
            Schedule = s.Schedule,
            SumChunkGradients = s.SumChunkGradients,
            IsotropicNoise = s.IsotropicNoise,
            Seed = seed,
            Recorder = new RecorderOptions
            {
                Probes = Parse(() => Preset(s.Probes), ProbePreset.Paper),
                Record = Parse(() => Schedule("--record", s.Record), RecordSchedule.None),
                Alphas = s.Alphas is null || s.Alphas.StartsWith("adaptive", StringComparison.Ordinal)
                    ? RecorderOptions.DefaultAlphas : Parse(() => Alphas(s.Alphas), RecorderOptions.DefaultAlphas),
                AdaptiveTolerance = s.Alphas is not null && s.Alphas.StartsWith("adaptive", StringComparison.Ordinal)
                    ? Parse(() => AdaptiveTolerance(s.Alphas), (double?)null) : null,
                BatchNorm = Parse(() => Policy(s.BatchNorm), BatchNormPolicy.BatchStats),
                FloorLags = s.FloorLags is null ? [] : Parse(() => Integers("--floor-lags", s.FloorLags), []),
                FloorLagOrigin = s.FloorLagOrigin,
                RandomDirection = s.RandomDirection,
                Sharpness = new SharpnessOptions
                {
                    Schedule = Parse(() => Schedule("--sharpness", s.Sharpness), RecordSchedule.None),
                    Hvp = Parse(() => Hvp(s.Hvp), HvpMethod.Autograd),
                    Eigen = Parse(() => Eigen(s.Eigen), EigenMethod.Lanczos),
                    TopK = s.TopK,
                    EigenIterations = s.EigenIterations,
                    EigenTolerance = s.EigenTolerance,
                    TraceSamples = s.TraceSamples,
                    BatchSharpnessBatches = s.BatchSharpnessBatches,
                },
                // Off, the alignment knobs are not looked at (nor written to run.json).
                Alignment = s.Alignment == "none" ? new AlignmentOptions() : new AlignmentOptions
                {
                    Schedule = Parse(() => Schedule("--alignment", s.Alignment), RecordSchedule.None),
                    TopK = s.AlignmentTopK,
                    BatchSizes = Parse(() => Integers("--alignment-batch-sizes", s.AlignmentBatchSizes), new[] { 25, 100, 400 }),
                    Batches = s.AlignmentBatches,
                    EigenIterations = s.AlignmentIterations,
                },
            },
            ProbeSize = Parse(() => ProbeSize(s.ProbeSize).Size, TrainOptions.Defaults.ProbeSizeSamples),
            ProbeSizeAuto = s.ProbeSize == "auto",
            ProbeError = s.ProbeError,
            Compat = Parse(() => Compat(s.Compat), CompatMode.None),
            EvaluationChunkSize = s.EvaluationChunk,
            Threads = s.Threads,
            Device = s.Device,
            TensorBoard = s.TensorBoard,
            Optimizer = Parse(() => Optimizer(s.Optimizer), OptimizerKind.Sgd),
            HeightFraction = s.HeightFraction,
            FloorView = Parse(() => FloorView(s.FloorView), FloorSearchView.Batch),
            CheckpointEvery = s.CheckpointEvery,
            KeepCheckpoints = s.KeepCheckpoints,
        };
        return (options, errors);
    }

    public static string DefaultRunName(TrainOptions o) =>
        string.Create(CultureInfo.InvariantCulture, $"{DatasetLabel(o.Dataset)}-{TorchScriptModel.FolderName(o.Model)}-lr{o.LearningRate}-b{o.BatchSize}-s{o.Seed}");

    /// <summary>The dataset as part of a folder name: its name, or "npz-STEM" for a file (a path has no place in a name).</summary>
    public static string DatasetLabel(string dataset) =>
        NpzDataset.IsNpz(dataset, out string path) ? "npz-" + Path.GetFileNameWithoutExtension(path) : dataset;

    /// <summary>A record schedule (--record, --sharpness, --alignment), parsed here once; a problem names the option.</summary>
    public static RecordSchedule Schedule(string option, string text)
    {
        try { return RecordSchedule.Parse(text); }
        catch (FormatException e) { throw new FormatException($"{option}: {e.Message}", e); }
    }

    public static IReadOnlyList<double> Alphas(string text)
    {
        var parts = text.Split(':');
        if (parts.Length == 3)
        {
            double start = Number("--alphas", parts[0]), stop = Number("--alphas", parts[1]), step = Number("--alphas", parts[2]);
            if (!(step > 0) || stop <= start) throw new FormatException($"--alphas '{text}': a range needs START < STOP and a positive STEP");
            int count = (int)Math.Round((stop - start) / step);
            if (!((stop - start) / step <= 10_000)) throw new FormatException($"--alphas '{text}': more than 10,000 points");
            // Round to the step's decimals so 0.1·3 is written as 0.3 and α = 1 is exactly 1.
            return Enumerable.Range(0, count + 1).Select(i => Math.Round(start + i * step, 12)).ToArray();
        }
        return text.Split(',').Select(p => Number("--alphas", p)).ToArray();
    }

    /// <summary>`adaptive` or `adaptive:TOL`: the floor-α tolerance of the adaptive grid.</summary>
    private static double? AdaptiveTolerance(string text) =>
        text == "adaptive" ? AdaptiveGrid.DefaultTolerance
        : text.StartsWith("adaptive:", StringComparison.Ordinal) ? Number("--alphas", text["adaptive:".Length..])
        : throw new FormatException($"--alphas '{text}': write adaptive or adaptive:TOL");

    /// <summary>`--probe-size N|full|auto`, for train, sweep and experiment alike: the fixed size (null = full) and whether auto.</summary>
    public static (int? Size, bool Auto) ProbeSize(string text) =>
        text == "full" ? (null, false)
        : text == "auto" ? (TrainOptions.Defaults.ProbeSizeSamples, true)
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? (n, false)
        : throw new FormatException($"--probe-size must be a positive number of samples, 'full' or 'auto' (got '{text}')");

    /// <summary>`--hidden 500,350`: positive layer widths.</summary>
    public static int[] Hidden(string text) =>
        Integers("--hidden", text) is { Length: > 0 } widths && widths.All(w => w > 0) ? widths
        : throw new FormatException($"--hidden must list positive layer widths, e.g. 500,350 (got '{text}')");

    public static CompatMode Compat(string text) =>
        Choice("--compat", text, ("none", CompatMode.None), ("authors", CompatMode.Authors));

    private static OptimizerKind Optimizer(string text) =>
        Choice("--optimizer", text, ("sgd", OptimizerKind.Sgd), ("floor-sgd", OptimizerKind.FloorSgd), ("height-sgd", OptimizerKind.HeightSgd));

    private static FloorSearchView FloorView(string text) =>
        Choice("--floor-view", text, ("batch", FloorSearchView.Batch), ("probe", FloorSearchView.Probe));

    public static ProbePreset Preset(string text) =>
        Choice("--probes", text, ("none", ProbePreset.None), ("cheap", ProbePreset.Cheap), ("paper", ProbePreset.Paper));

    private static BatchNormPolicy Policy(string text) =>
        Choice("--bn", text, ("batch-stats", BatchNormPolicy.BatchStats), ("running", BatchNormPolicy.Running));

    private static HvpMethod Hvp(string text) =>
        Choice("--hvp", text, ("autograd", HvpMethod.Autograd), ("finite-difference", HvpMethod.FiniteDifference));

    private static EigenMethod Eigen(string text) =>
        Choice("--eigen", text, ("lanczos", EigenMethod.Lanczos), ("power", EigenMethod.Power));

    /// <summary>One of a few spelled-out values; anything else names the option and every allowed spelling.</summary>
    internal static T Choice<T>(string option, string text, params (string Name, T Value)[] choices)
    {
        foreach (var (name, value) in choices) if (name == text) return value;
        var names = choices.Select(c => c.Name).ToArray();
        string allowed = names.Length == 1 ? names[0] : $"{string.Join(", ", names[..^1])} or {names[^1]}";
        throw new FormatException($"{option} must be {allowed} (got '{text}')");
    }

    private static int[] Integers(string option, string text) =>
        text.Split(',').Select(p => int.TryParse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int v)
            ? v : throw new FormatException($"{option}: '{p}' is not a whole number from 0 to {int.MaxValue}")).ToArray();

    private static double Number(string option, string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v : throw new FormatException($"{option}: '{text}' is not a number");
}
