using SgdWalk.Data;
using SgdWalk.Experiments;
using SgdWalk.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk experiment NAME`: one of the paper's experiments as a preset, run (resumably) like a sweep.</summary>
public sealed class ExperimentCommand(IAnsiConsole console) : Command<ExperimentSettings>
{
    public override int Execute(CommandContext context, ExperimentSettings settings, CancellationToken cancellation)
    {
        var errors = new List<string>();
        Experiment? experiment = null;
        try { experiment = ExperimentCatalog.Find(settings.Name); }
        catch (ArgumentException e) { errors.Add(e.Message); }
        ExperimentScale scale = settings.Scale switch
        {
            "cpu" => ExperimentScale.Cpu,
            "paper" => ExperimentScale.Paper,
            _ => Invalid($"--scale must be cpu or paper (got '{settings.Scale}')"),
        };
        var overrides = Overrides(settings, errors);
        var compat = CompatMode.None;
        try { compat = OptionParsing.Compat(settings.Compat); }
        catch (FormatException e) { errors.Add(e.Message); }
        if (settings.Out is "") errors.Add("--out must name a folder (got '')");
        if (experiment is null || errors.Count > 0) return CliError.Refuse(console, errors);

        var plan = experiment.Plan(new ExperimentRequest(scale, compat, overrides));
        if (scale == ExperimentScale.Paper && plan.Cells[0].Options.Dataset == "cifar10" && CifarProblem(plan.Cells[0].Options) is { } missing)
            errors.Add($"experiment {experiment.Name} at --scale paper needs CIFAR-10 (binary version): pass --data-dir <folder with " +
                $"data_batch_1.bin ... test_batch.bin> or set $SGDWALK_DATA ({missing})");
        string folder = settings.Out ?? Path.Combine("runs", experiment.Name + (scale == ExperimentScale.Paper ? "-paper" : ""));
        console.MarkupLineInterpolated($"[bold]experiment[/] {experiment.Name} ({settings.Scale} scale): {experiment.Description}");
        return SweepExecution.Run(console, context, plan, folder, settings, settings, errors, cancellation);

        ExperimentScale Invalid(string message)
        {
            errors.Add(message);
            return ExperimentScale.Cpu;
        }
    }

    /// <summary>Why CIFAR-10 cannot be read for these options, or null when its batch files are there.</summary>
    internal static string? CifarProblem(TrainOptions options)
    {
        try
        {
            string directory = DatasetCatalog.ResolveDirectory("cifar10", options.DataDir);
            return File.Exists(Path.Combine(directory, "data_batch_1.bin")) ? null : $"{directory} holds no data_batch_1.bin";
        }
        catch (Exception e) when (e is DirectoryNotFoundException or ArgumentException or IOException)
        {
            return e.Message;
        }
    }

    /// <summary>The overrides the user gave, as one change applied to every run of the preset.</summary>
    private static Func<TrainOptions, TrainOptions> Overrides(ExperimentSettings s, List<string> errors)
    {
        // The same parsers as train and sweep: one spelling, one message per option.
        int[]? hidden = s.Hidden is null ? null : Parse<int[]?>(() => OptionParsing.Hidden(s.Hidden), null);
        (int? Size, bool Auto)? probeSize = s.ProbeSize is null ? null : Parse<(int?, bool)?>(() => OptionParsing.ProbeSize(s.ProbeSize), null);
        Probes.ProbePreset? probes = s.Probes is null ? null : Parse<Probes.ProbePreset?>(() => OptionParsing.Preset(s.Probes), null);
        Probes.RecordSchedule? record = s.Record is null ? null : Parse<Probes.RecordSchedule?>(() => OptionParsing.Schedule("--record", s.Record), null);
        return o => o with
        {
            Dataset = s.Dataset is null ? o.Dataset : NpzDataset.Qualify(s.Dataset),
            DataDir = s.DataDir ?? o.DataDir,
            Model = s.Model is null ? o.Model : Models.TorchScriptModel.Qualify(s.Model),
            // A TorchScript file defines its own architecture: the preset's zoo widths and depth do not apply to it.
            Hidden = hidden ?? (Models.TorchScriptModel.Names(s.Model) ? null : o.Hidden),
            Depth = Models.TorchScriptModel.Names(s.Model) ? null : o.Depth,
            ModelBatchNorm = Models.TorchScriptModel.Names(s.Model) || o.ModelBatchNorm,
            Epochs = s.Epochs ?? o.Epochs,
            Steps = s.Steps ?? o.Steps,
            TrainSize = s.TrainSize ?? o.TrainSize,
            ProbeSize = probeSize is { } p ? p.Size : o.ProbeSize,
            ProbeSizeAuto = probeSize is { } q ? q.Auto : o.ProbeSizeAuto,
            Recorder = o.Recorder with { Record = record ?? o.Recorder.Record, Probes = probes ?? o.Recorder.Probes },
            Seed = s.Seed ?? o.Seed,
            Threads = s.Threads ?? o.Threads,
        };

        T Parse<T>(Func<T> parse, T fallback)
        {
            try { return parse(); }
            catch (FormatException e) { errors.Add(e.Message); return fallback; }
        }
    }
}
