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
        if (experiment is null || errors.Count > 0)
        {
            foreach (var error in errors) console.MarkupLineInterpolated($"[red]sgdwalk: error:[/] {error}");
            return ExitCodes.InvalidInput;
        }

        var plan = experiment.Plan(new ExperimentRequest(scale, settings.Compat, overrides));
        if (scale == ExperimentScale.Paper && plan.Cells[0].Options.Dataset == "cifar10" && CifarProblem(plan.Cells[0].Options) is { } missing)
            errors.Add($"experiment {experiment.Name} at --scale paper needs CIFAR-10 (binary version): pass --data-dir <folder with data_batch_1.bin ... test_batch.bin> or set $SGDWALK_DATA ({missing})");
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
    private static string? CifarProblem(TrainOptions options)
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
        IReadOnlyList<int>? hidden = null;
        int? probeSize = null;
        bool fullProbe = s.ProbeSize == "full", autoProbe = s.ProbeSize == "auto";
        var probes = s.Probes switch
        {
            null => (Probes.ProbePreset?)null,
            "none" => Probes.ProbePreset.None,
            "cheap" => Probes.ProbePreset.Cheap,
            "paper" => Probes.ProbePreset.Paper,
            _ => Error<Probes.ProbePreset?>($"--probes must be none, cheap or paper (got '{s.Probes}')"),
        };
        if (s.Hidden is not null)
            hidden = s.Hidden.Split(',').Select(h => int.TryParse(h, out int v) && v > 0 ? v : Error<int>($"--hidden: '{h}' is not a positive whole number")).ToArray();
        if (s.ProbeSize is not null && !fullProbe && !autoProbe)
            probeSize = int.TryParse(s.ProbeSize, out int n) && n > 0 ? n : Error<int?>($"--probe-size must be a positive number, 'full' or 'auto' (got '{s.ProbeSize}')");
        return o => o with
        {
            Dataset = s.Dataset ?? o.Dataset,
            DataDir = s.DataDir ?? o.DataDir,
            Model = s.Model ?? o.Model,
            Hidden = hidden ?? o.Hidden,
            Epochs = s.Epochs ?? o.Epochs,
            Steps = s.Steps ?? o.Steps,
            TrainSize = s.TrainSize ?? o.TrainSize,
            ProbeSize = fullProbe ? null : probeSize ?? o.ProbeSize,
            ProbeSizeAuto = autoProbe || (o.ProbeSizeAuto && s.ProbeSize is null),
            Record = s.Record ?? o.Record,
            Probes = probes ?? o.Probes,
            Seed = s.Seed ?? o.Seed,
            Threads = s.Threads ?? o.Threads,
        };

        T Error<T>(string message)
        {
            errors.Add(message);
            return default!;
        }
    }
}
