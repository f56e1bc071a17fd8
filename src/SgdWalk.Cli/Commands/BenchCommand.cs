using System.Globalization;
using SgdWalk.Bench;
using SgdWalk.Bench.Exporters;
using SgdWalk.Bench.Reference;
using SgdWalk.Data;
using SgdWalk.Records;
using SgdWalk.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>
/// `sgdwalk bench`: measures training, profiles, HVPs, preset overheads and the machine's matmul rate for each model ×
/// thread count, runs the PyTorch reference on the same data and parameters, and writes bench.json, bench.csv and
/// bench.md (docs/benchmarks.md). The bench itself is the SgdWalk.Bench library (src/SgdWalk.Bench); this class
/// turns the options into its plan and shows its progress and tables.
/// </summary>
public sealed class BenchCommand(IAnsiConsole console) : Command<BenchSettings>
{
    public override int Execute(CommandContext context, BenchSettings settings, CancellationToken cancellation)
    {
        var (plan, errors) = ToPlan(settings);
        if (errors.Count == 0)
            errors.AddRange(TrainCommand.CheckDataset(new TrainOptions { Dataset = plan.Dataset, DataDir = plan.DataDir }));
        string folder = Path.GetFullPath(settings.Out ?? Path.Combine("runs", $"bench-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}"));
        if (errors.Count == 0 && PrepareFolder(folder) is { } folderError) errors.Add(folderError);
        if (errors.Count > 0) return CliError.Refuse(console, errors);

        var result = BenchResult.Start(plan, context.Arguments.ToArray());
        ReferenceRunner? reference = null;
        if (!settings.NoReference)
        {
            reference = ReferenceRunner.Locate(settings.ReferenceDir, out string? problem);
            result.Reference = reference is null ? "missing" : "ran";
            result.ReferenceProblem = problem;
            result.ReferenceDirectory = reference?.Directory;
        }

        console.MarkupLineInterpolated($"[bold]sgdwalk bench[/] {string.Join(", ", plan.Models)} at {string.Join(", ", plan.Threads)} thread(s), {plan.Repeats} repeats{(plan.Quick ? " (quick: smoke sizes, numbers mean nothing)" : "")} → {folder}");
        console.MarkupLineInterpolated($"[grey]load average {result.Machine["load_average_start"]}; other processes on this machine skew every number[/]");
        if (result.ReferenceProblem is { } missing) console.MarkupLineInterpolated($"[yellow]PyTorch reference missing:[/] {missing}");

        Run(plan, folder, reference, result, cancellation);
        BenchFiles.WriteAll(folder, result);
        BenchTables.Write(console, result);
        if (reference is not null && result.ReferenceProblem is { } why)
            console.MarkupLineInterpolated($"[yellow]PyTorch reference {result.Reference}:[/] {why}");
        console.MarkupLineInterpolated($"[green]{result.Status}[/] → {Path.Combine(folder, "bench.md")}");
        return result.Status switch
        {
            BenchResult.Completed => ExitCodes.Success,
            BenchResult.Interrupted => ExitCodes.Interrupted,
            _ => ExitCodes.Failed,
        };
    }

    /// <summary>
    /// Runs the bench under a progress display that redraws only when the phase changes (no render thread competing
    /// for the cores being measured). Ctrl-C stops it between workloads; the blocks finished so far are written.
    /// </summary>
    private void Run(BenchPlan plan, string folder, ReferenceRunner? reference, BenchResult result, CancellationToken cancellation)
    {
        // The default walk's memory is measured in a child process running this very program.
        string[] sgdwalk = ["dotnet", Path.Combine(AppContext.BaseDirectory, "SgdWalk.Cli.dll")];
        console.Progress()
            .AutoRefresh(false)
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(progress =>
            {
                var task = progress.AddTask("starting", maxValue: 1);
                var runner = new BenchRunner(plan, folder, reference, sgdwalk, p =>
                {
                    task.Description = Markup.Escape(p.Description);
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                    progress.Refresh();
                }, () => BenchFiles.WriteAll(folder, result), cancellation);
                runner.Execute(result);
                if (result.Status == BenchResult.Completed)
                {
                    task.Description = "done";
                    task.Value = task.MaxValue;
                }
                task.StopTask();
                progress.Refresh();
            });
        if (result.Status == BenchResult.Failed) CliError.Write(console, result.Message);
    }

    /// <summary>The plan the options describe, and every problem with them (each one line naming the option).</summary>
    public static (BenchPlan Plan, List<string> Errors) ToPlan(BenchSettings s)
    {
        var errors = new List<string>();
        var models = s.Models.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToArray();
        foreach (var model in models.Where(m => !BenchPlan.KnownModels.Contains(m)))
            errors.Add($"--models: unknown model '{model}'; the bench measures {string.Join(", ", BenchPlan.KnownModels)}");
        if (models.Length == 0) errors.Add("--models must list at least one of " + string.Join(", ", BenchPlan.KnownModels));

        var threads = new List<int>();
        foreach (var part in s.Threads.Split(',', StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1) { if (!threads.Contains(n)) threads.Add(n); }
            else errors.Add($"--threads must list thread counts of at least 1, e.g. 1,2 (got '{s.Threads}')");
        }
        errors = errors.Distinct().ToList();

        int repeats = s.Repeats ?? (s.Quick ? 2 : 7), rounds = s.PresetRounds ?? (s.Quick ? 1 : 5);
        if (repeats < 1) errors.Add($"--repeats must be at least 1 (got {repeats})");
        if (rounds < 0) errors.Add($"--preset-rounds must be 0 (no preset runs) or more (got {rounds})");
        if (s.PaperRounds < 0) errors.Add($"--paper-rounds must be 0 (no paper preset) or more (got {s.PaperRounds})");
        if (s.PresetSteps is < 2) errors.Add($"--preset-steps must be at least 2 (got {s.PresetSteps})");
        if (!DatasetCatalog.Known.Any(d => d.Name == s.Dataset))
            errors.Add($"--dataset: unknown dataset '{s.Dataset}'; known datasets: {string.Join(", ", DatasetCatalog.Known.Select(d => d.Name))}");

        var plan = new BenchPlan
        {
            Models = models,
            Threads = threads,
            Repeats = repeats,
            Seed = s.Seed,
            Dataset = s.Dataset,
            DataDir = s.DataDir,
            PresetRounds = rounds,
            PaperRounds = s.PaperRounds,
            PresetStepsOverride = s.PresetSteps,
        };
        return (s.Quick ? BenchPlan.QuickPlan(plan) : plan, errors);
    }

    /// <summary>The output folder must be new or empty and writable: a benchmark never replaces another's files.</summary>
    private static string? PrepareFolder(string folder)
    {
        if (File.Exists(folder)) return $"{folder}: is a file, not a folder";
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            return $"{folder}: already exists and is not empty; choose another --out";
        try
        {
            new RunFolder(folder).CheckWritable();
            return null;
        }
        catch (IOException e)
        {
            return e.Message;
        }
    }
}
