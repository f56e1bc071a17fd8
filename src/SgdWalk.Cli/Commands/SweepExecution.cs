using System.Globalization;
using SgdWalk.Platform;
using SgdWalk.Records;
using SgdWalk.Sweeps;
using SgdWalk.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>
/// Runs a plan for `sweep` and `experiment`: checks everything first, then either writes a scheduler script
/// (--emit) or runs this shard's cells with two progress bars (the whole sweep with its ETA, the current cell),
/// then prints the summary and draws the sweep report (unsharded runs only: shards leave that to the last step).
/// </summary>
internal static class SweepExecution
{
    public static int Run(IAnsiConsole console, CommandContext context, SweepPlan plan, string folder, ISweepOutput output,
        ReportSettings reportSettings, List<string> errors, CancellationToken cancellation, Action<string>? prepare = null, Action<string>? adopt = null,
        Func<SweepCell, double>? weight = null, bool reportCells = true)
    {
        var shard = Shard.All;
        if (output.Shard is { } text)
        {
            try { shard = Shard.Parse(text); }
            catch (FormatException e) { errors.Add(e.Message); }
        }
        if (output.Emit is { } emit && emit != "slurm") errors.Add($"--emit must be 'slurm' (got '{emit}')");
        if (output.Emit is not null && output.Shard is not null) errors.Add("--emit writes one task per shard itself; leave out --shard");
        if (output.Shards is < 1) errors.Add($"--shards must be at least 1 (got {output.Shards})");
        if (output.Jobs < 1) errors.Add($"--jobs must be at least 1 (got {output.Jobs})");
        if (output.Jobs > 1 && output.Emit is not null) errors.Add("--jobs runs cells on this machine and --emit writes a job script instead; choose one");
        if (output.Cell is { } only && plan.Cells.All(c => c.Name != only)) errors.Add($"--cell: the plan has no cell named '{only}'");
        if (output.Worker && (output.Cell is not null || output.Jobs > 1 || output.Emit is not null))
            errors.Add("--worker takes its cells on standard input from a parent `--jobs` process; leave out --cell, --jobs and --emit");
        if (!ReportCommand.TryOptions(reportSettings, out var reportOptions, out string? reportError)) errors.Add(reportError!);
        if (errors.Count == 0) errors.AddRange(plan.Validate());
        // Every cell against the data, the device, the memory and the model, before the folder exists (a worker's parent
        // has checked this very plan already).
        if (errors.Count == 0 && !output.Worker)
            errors.AddRange(RunCheck.Check(plan.Cells.Where(c => output.Cell is null || c.Name == output.Cell).Select(c => c.Options)));
        if (errors.Count > 0) return CliError.Refuse(console, errors);

        folder = Path.GetFullPath(folder);
        if (File.Exists(new RunFolder(folder).Manifest))
        {
            CliError.Write(console, $"{folder}: is a run folder (it has a run.json), not a sweep folder; choose another --out");
            return ExitCodes.InvalidInput;
        }
        try
        {
            Directory.CreateDirectory(folder);
            adopt?.Invoke(folder); // a preset that grows a folder's plan (claims with more seeds) rewrites its sweep.json first
            SweepRunner.WriteManifest(plan, folder);
            prepare?.Invoke(folder); // what a preset keeps beside sweep.json (claims-design.json), checked the same way
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CliError.Write(console, e.Message);
            return ExitCodes.InvalidInput;
        }
        if (output.Emit is not null) return EmitSlurm(console, context, plan, folder, output.Shards ?? plan.Cells.Count);
        if (output.Cell is { } cellName) return ParallelCells.RunChild(plan, folder, shard, cellName, cancellation);
        if (output.Worker) return ParallelCells.RunWorker(plan, folder, shard, cancellation);

        int mine = plan.CellsOf(shard).Count();
        console.MarkupLineInterpolated($"[bold]sgdwalk sweep[/] {plan.Cells.Count} cells{(shard == Shard.All ? "" : $", shard {shard}: {mine} of them")}{(output.Jobs > 1 ? $", {output.Jobs} at a time" : "")} → {folder}");
        if (output.Jobs > 1 && plan.Cells.FirstOrDefault()?.Options.Threads is int threads && threads * output.Jobs > Environment.ProcessorCount)
            console.MarkupLineInterpolated($"[yellow]sgdwalk: note:[/] --threads {threads} × --jobs {output.Jobs} is more than the {Environment.ProcessorCount} cores here; leave out --threads to split the cores between the jobs");
        var started = DateTimeOffset.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var processes = new List<ProcessRecord>();
        var summaries = new SweepSummaryCache();
        var results = output.Jobs > 1
            ? ParallelCells.Run(console, plan, folder, shard, output.Jobs, ChildCommand(context, folder), weight ?? (_ => 1), cancellation, processes)
            : RunWithProgress(console, plan, folder, shard, weight ?? (_ => 1), cancellation, processes, summaries);
        double wall = clock.Elapsed.TotalSeconds;

        SweepSummary.Write(folder, summaries);
        PrintSummary(console, folder, summaries);
        PrintTiming(console, folder, results, output.Jobs, started, wall, processes);
        // Every run comes with its own figures too (walk, height, sharpness, ...), drawn as `train` draws them.
        bool cellsReported = output.NoReport || !reportCells || results
            .Where(r => !r.Skipped && r.Status is RunStatus.Completed or RunStatus.Diverged)
            .Select(r => ReportCommand.Write(console, Path.Combine(folder, r.Cell.Name), reportOptions))
            .ToList().All(ok => ok);
        bool reported = cellsReported && (output.NoReport || shard != Shard.All || ReportCommand.Write(console, folder, reportOptions));
        if (results.Any(r => r.Status is RunStatus.Interrupted) || results.Count < mine)
        {
            console.MarkupLineInterpolated($"[yellow]sgdwalk: interrupted:[/] {results.Count(r => r.Status != RunStatus.Interrupted)} of {mine} cells done; rerun the same command to resume");
            return ExitCodes.Interrupted;
        }
        var failed = results.Where(r => r.Status == RunStatus.Failed).ToList();
        foreach (var f in failed) console.MarkupLineInterpolated($"[red]sgdwalk: cell {f.Cell.Name} failed:[/] {f.Message}");
        // Cells another process holds (a second sweep on the same folder) are not this command's to vouch for.
        var busy = results.Where(r => r.Skipped && r.Status == RunStatus.Running).ToList();
        foreach (var b in busy) console.MarkupLineInterpolated($"[yellow]sgdwalk: cell {b.Cell.Name} left alone:[/] {b.Message}; rerun the same command once it has finished");
        int diverged = results.Count(r => r.Status == RunStatus.Diverged);
        int finishedBefore = results.Count(r => r.Skipped) - busy.Count;
        console.MarkupLineInterpolated($"[green]sweep done[/]: {results.Count(r => !r.Skipped)} run, {finishedBefore} already finished, {busy.Count} running elsewhere, {diverged} diverged, {failed.Count} failed → {Path.Combine(folder, SweepSummary.FileName)}");
        return failed.Count > 0 || busy.Count > 0 || !reported ? ExitCodes.Failed : ExitCodes.Success;
    }

    private static IReadOnlyList<CellResult> RunWithProgress(IAnsiConsole console, SweepPlan plan, string folder, Shard shard,
        Func<SweepCell, double> weight, CancellationToken cancellation, List<ProcessRecord> processes, SweepSummaryCache summaries)
    {
        IReadOnlyList<CellResult> results = [];
        // One data cache for the whole sweep (each dataset loaded once); this process's memory noted after each cell.
        using var cache = new Data.DataCache();
        var record = new ProcessRecord();
        processes.Add(record);
        int noted = 0;
        // The sweep bar advances by each cell's weight (its estimated cost where known), so its ETA holds when cells differ.
        double[] weights = plan.CellsOf(shard).Select(c => Math.Max(1e-9, weight(c))).ToArray();
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(),
                new SpinnerColumn())
            .Start(progress =>
            {
                var sweep = progress.AddTask("sweep", maxValue: 1);
                var cell = progress.AddTask("cell", maxValue: 1);
                results = SweepRunner.Run(plan, folder, shard, p =>
                {
                    // The sweep bar counts cells, with the running cell's fraction, so its ETA covers the whole sweep.
                    double fraction = p.Training is { } t ? t.Step / (double)Math.Max(1, t.TotalSteps) : 0;
                    sweep.MaxValue = Math.Max(1e-9, weights.Sum());
                    sweep.Value = weights.Take(p.Done).Sum() + (p.Done < weights.Length ? fraction * weights[p.Done] : 0);
                    sweep.Description = string.Create(CultureInfo.InvariantCulture, $"sweep {p.Done}/{p.Total} cells");
                    if (p.Training is { } training)
                    {
                        cell.MaxValue = training.TotalSteps;
                        cell.Value = training.Step;
                        cell.Description = string.Create(CultureInfo.InvariantCulture,
                            $"{p.Cell?.Name} epoch {training.Epoch}/{training.TotalEpochs} loss {training.TrainLoss:F3}");
                    }
                    else if (p.Cell is { } starting)
                    {
                        cell.Value = 0;
                        cell.Description = Markup.Escape(starting.Name);
                    }
                    else if (p.Done > noted)
                    {
                        noted = p.Done;
                        if (ProcessMemory.ResidentMegabytes() is double resident) record.ResidentMb.Add(Math.Round(resident, 1));
                    }
                }, cancellation, cache: cache, summaries: summaries);
                record.DataLoads = cache.Loads;
                sweep.Value = sweep.MaxValue;
                sweep.StopTask();
                cell.StopTask();
            });
        return results;
    }

    private static void PrintSummary(IAnsiConsole console, string folder, SweepSummaryCache summaries)
    {
        var (_, rows) = SweepSummary.Compute(folder, summaries);
        var table = new Table().Title("[bold]sweep summary[/] (every cell in the folder)")
            .AddColumns("cell", "status", "median height", "interior", "dist_init (equal steps)", "final dist_init", "test acc", "ratio group");
        string Cell(RowValues r, string column) => Markup.Escape(r.Cells.GetValueOrDefault(column, ""));
        string Number(RowValues r, string column, string format) =>
            double.TryParse(r.Cells.GetValueOrDefault(column, ""), NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
                ? v.ToString(format, CultureInfo.InvariantCulture) : "—";
        foreach (var r in rows)
            table.AddRow(Cell(r, "cell"), Cell(r, "status"), Number(r, "median_height", "G4"), Number(r, "interior_fraction", "P0"),
                Number(r, "dist_init_equal_steps", "G4"), Number(r, "final_dist_init", "G4"), Number(r, "final_test_acc", "P2"), Cell(r, "ratio_group"));
        console.Write(table);
    }

    /// <summary>
    /// The plan's wall time against its runs' own times (run.json: training + probes + evaluation), printed and added to
    /// the folder's timing.json: what start-up, data loading and set-up cost on top of the work itself.
    /// </summary>
    private static void PrintTiming(IAnsiConsole console, string folder, IReadOnlyList<CellResult> results, int jobs, DateTimeOffset started, double wall,
        List<ProcessRecord> processes)
    {
        var ran = results.Where(r => !r.Skipped).Select(r => Path.Combine(folder, r.Cell.Name)).ToList();
        if (ran.Count == 0) return;
        var timing = SweepTiming.Measure(ran, jobs, started, wall);
        timing.Processes = processes;
        try { timing.Append(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            console.MarkupLineInterpolated($"[yellow]sgdwalk: note:[/] {Path.Combine(folder, SweepTiming.FileName)} not written ({e.Message})");
        }
        console.MarkupLineInterpolated($"time: {timing.Describe()} → {Path.Combine(folder, SweepTiming.FileName)}");
    }

    private static int EmitSlurm(IAnsiConsole console, CommandContext context, SweepPlan plan, string folder, int shards)
    {
        var arguments = WithoutScaleOut(context.Arguments).ToList();
        if (arguments.Count == 0 || arguments[0] != context.Name) arguments.Insert(0, context.Name);
        // Pin the sweep folder: the array tasks must agree on it whatever the default would be.
        if (!arguments.Contains("--out")) arguments.AddRange(["--out", folder]);
        // This very build, started by this very dotnet host (the nodes share the file system with the submitter).
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        string launcher = SlurmScript.Quote([host, typeof(Program).Assembly.Location]);
        var written = SlurmScript.Write(folder, launcher, arguments, shards, Directory.GetCurrentDirectory());
        foreach (var path in written) console.MarkupLineInterpolated($"wrote {path}");
        console.MarkupLineInterpolated($"{plan.Cells.Count} cells in {shards} array tasks; submit with: {Path.Combine(folder, "submit.sh")}");
        return ExitCodes.Success;
    }

    /// <summary>This very build and command line, without --jobs, with the folder pinned: a `--jobs` worker adds `--worker`.</summary>
    private static List<string> ChildCommand(CommandContext context, string folder)
    {
        var arguments = WithoutOptions(context.Arguments, "--jobs").ToList();
        if (arguments.Count == 0 || arguments[0] != context.Name) arguments.Insert(0, context.Name);
        if (!arguments.Contains("--out")) arguments.AddRange(["--out", folder]);
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        return [host, typeof(Program).Assembly.Location, .. arguments];
    }

    /// <summary>The command line without --emit, --shards and --shard (and their values).</summary>
    private static IEnumerable<string> WithoutScaleOut(IReadOnlyList<string> arguments) => WithoutOptions(arguments, "--emit", "--shards", "--shard", "--jobs");

    /// <summary>The command line without the named options and their values (`--name value` or `--name=value`).</summary>
    private static IEnumerable<string> WithoutOptions(IReadOnlyList<string> arguments, params string[] names)
    {
        for (int i = 0; i < arguments.Count; i++)
        {
            string a = arguments[i];
            if (names.Contains(a)) { i++; continue; }
            if (names.Any(n => a.StartsWith(n + "=", StringComparison.Ordinal))) continue;
            yield return a;
        }
    }
}
