using System.Globalization;
using SgdWalk.Experiments;
using SgdWalk.Records.Claims;
using SgdWalk.Reporting;
using SgdWalk.Reporting.Claims;
using SgdWalk.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>
/// `sgdwalk claims`: the runs that test every claim of the paper (<see cref="ClaimsPlan"/>), through the sweep runner
/// (resumable, shardable, Slurm), then the verdicts with their intervals (<see cref="ClaimsEvaluation"/>), printed and
/// written as claims.json, claims.md and the Claims section of report.html.
/// </summary>
public sealed class ClaimsCommand(IAnsiConsole console) : Command<ClaimsSettings>
{
    /// <summary>A plan estimated above this runs here only with --yes (or goes to a cluster with --emit slurm).</summary>
    private static readonly TimeSpan LongRun = TimeSpan.FromDays(1);

    public override int Execute(CommandContext context, ClaimsSettings settings, CancellationToken cancellation)
    {
        var errors = new List<string>();
        ExperimentScale scale = settings.Scale switch
        {
            "cpu" => ExperimentScale.Cpu,
            "paper" => ExperimentScale.Paper,
            _ => Error(ExperimentScale.Cpu, $"--scale must be cpu or paper (got '{settings.Scale}')"),
        };
        int seeds = settings.Seeds ?? (settings.Quick ? ClaimsPlan.QuickSeeds : ClaimTest.DefaultSeeds);
        if (seeds < ClaimTest.MinimumSeeds)
            errors.Add($"--seeds must be at least {ClaimTest.MinimumSeeds}: with fewer seeds no test can earn a verdict (got {seeds}); docs/claims.md says why");
        if (settings.Quick && scale == ExperimentScale.Paper) errors.Add("--quick is a CPU-scale plan: use it without --scale paper");
        if (settings.Epochs is < 2) errors.Add($"--epochs must be at least 2: the tests read the steps after the first epoch (got {settings.Epochs})");
        if (settings.Out is "") errors.Add("--out must name a folder (got '')");
        int horizon = settings.Horizon ?? (settings.Quick || scale == ExperimentScale.Paper ? 0 : ClaimsPlan.HorizonEpochs);
        if (settings.Horizon is { } h && h != 0 && (scale == ExperimentScale.Paper || h < 6 || h <= (settings.Epochs ?? 2)))
            errors.Add(scale == ExperimentScale.Paper
                ? "--horizon is a CPU-scale option: the paper-scale runs already train 100 epochs"
                : $"--horizon must be 0 or at least 6 and more than --epochs: its phases are epochs 2, horizon/2 and horizon (got {h})");
        var shared = Shared(scale, settings, errors);
        if (errors.Count > 0) return Fail(errors);
        // The user's own values first, each said once; then the values the plan derives from them (batch/4, lr/2, ...)
        // can only go wrong through a rule of the plan, said in the user's terms.
        if (shared.Validate() is { Count: > 0 } own) return Fail(own);
        int divisor = scale == ExperimentScale.Paper ? 2 : 4;
        if (shared.BatchSize < divisor)
            return Fail([$"--batch-size must be at least {divisor} for claims: the plan also runs batch size {shared.BatchSize}/{divisor} (got {shared.BatchSize})"]);

        var design = ClaimsPlan.Design(scale, Math.Max(1, seeds), shared, horizon);
        string suffix = scale == ExperimentScale.Paper ? "-paper" : settings.Quick ? "-quick" : "";
        string folder = settings.Out ?? Path.Combine("runs", $"claims-{shared.Dataset}-{shared.Model}{suffix}");
        // An existing claims folder may grow its seeds (the normal way to sharpen a verdict); any other change is refused here, before anything is written.
        ClaimsDesign? existing = null;
        try
        {
            string designPath = Path.Combine(folder, ClaimsDesign.FileName);
            if (File.Exists(designPath))
            {
                existing = ClaimsDesign.Read(designPath);
                design = design.Merge(existing);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Fail([$"{Path.GetFullPath(folder)}: {e.Message}"]);
        }
        var plan = ClaimsPlan.Build(design, shared);
        if (plan.Validate() is { Count: > 0 } invalid) return Fail([.. invalid]);
        // A `--jobs` worker (or a `--cell` child) runs the runs it is given and nothing else: no budget, no verdicts (its parent does both).
        if (settings.Cell is not null || settings.Worker)
            return SweepExecution.Run(console, context, plan, folder, settings, settings, errors, cancellation, prepare: path => design.WriteOrCheck(path),
                reportCells: false);
        bool grows = existing is not null && !design.Seeds.SequenceEqual(existing.Seeds);
        // Claim 4b's matched arm needs floor-sgd's mean α and 4c's target runs its L* before any cell: a new folder's plan
        // starts with a pilot (an existing folder's design carries both). Costed here with stand-ins: a run's cost does not
        // depend on its rate, and a target run is counted at its cap.
        bool pilotDue = existing is null && ClaimsPlan.PlansMatchedArm(design);
        var costed = pilotDue ? ClaimsPlan.Build(design with { MatchedLearningRate = double.Epsilon, TargetLoss = double.Epsilon }, shared) : plan;

        var costs = ClaimsBudget.Measure(shared, design.BatchSize);
        var estimate = TimeSpan.FromSeconds(ClaimsBudget.Seconds(costed, costs)
            + (pilotDue ? ClaimsBudget.Seconds(FloorSgdPilot.Options(design, shared), costs) : 0));
        console.MarkupLine(Markup.Escape($"claims ({settings.Scale} scale): {shared.Model} on {shared.Dataset}, {costed.Cells.Count} runs " +
            $"({design.Seeds.Count} seeds × {costed.Cells.Count / design.Seeds.Count} settings), {RunLengths(design, shared)}" +
            (pilotDue ? ", after a floor-sgd pilot for 4b's matched arm and 4c's target" : "")));
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"estimated time here: {Duration(estimate)} (one training pass ") +
            string.Create(CultureInfo.InvariantCulture, $"{costs.TrainPerSample * 1e3:G3} ms per sample, the fastest of a few, timed now)")));
        if (scale == ExperimentScale.Paper)
        {
            console.MarkupLine(Markup.Escape("paper scale needs CIFAR-10 (binary version) via --data-dir and, at this size, a cluster: --emit slurm " +
                $"writes one array task per run ({plan.Cells.Count} runs)."));
            if (shared.Dataset == "cifar10" && ExperimentCommand.CifarProblem(shared) is { } missing)
                errors.Add($"claims at --scale paper needs CIFAR-10 (binary version): pass --data-dir <folder with data_batch_1.bin ... test_batch.bin> ({missing})");
        }
        if (estimate > LongRun && settings.Emit is null && !settings.Yes && settings.Shard is null)
            errors.Add($"this plan would take about {Duration(estimate)} here: run it on a cluster with --emit slurm, or add --yes to start it on this machine");
        if (errors.Count > 0) return Fail(errors);
        if (grows)
            console.MarkupLine(Markup.Escape($"claims: extending {Path.GetFullPath(folder)} from {existing!.Seeds.Count} to {design.Seeds.Count} seeds; " +
                "the runs already finished are kept"));
        PrintPower(design);
        if (pilotDue)
        {
            var pilot = FloorSgdPilot.Options(design, shared);
            console.MarkupLine(Markup.Escape($"claims: 4b's matched arm and 4c's target: floor-sgd's mean step α and its training loss from a pilot run first (seed {pilot.Seed}, unprofiled)"));
            PilotResult? found;
            try
            {
                found = FloorSgdPilot.Run(pilot, cancel: cancellation);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException
                or Data.DataFormatException or System.Runtime.InteropServices.ExternalException)
            {
                CliError.Write(console, Platform.TorchScriptRuntime.Reason(e));
                return ExitCodes.Failed;
            }
            if (found is null) return ExitCodes.Interrupted;
            design = design with
            {
                MatchedAlpha = found.MeanAlpha,
                MatchedLearningRate = found.LearningRate,
                TargetLoss = design.TargetEpochs > 0 ? found.TargetLoss : null,
            };
            plan = ClaimsPlan.Build(design, shared);
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"claims: floor-sgd's mean α {found.MeanAlpha:0.####} over {found.Steps} steps ({found.Elapsed.TotalSeconds:0.#} s): the matched arm runs SGD at η·ᾱ = {found.LearningRate:G3}")));
            if (design.TargetLoss is { } target)
                console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"claims: floor-sgd's training loss outside the probe view at the pilot's end {found.FinalLoss:0.####}: 4c's target runs stop at L* = {target:0.##} (rounded up to 0.05), at most {design.TargetEpochs} epochs")));
        }

        int code = SweepExecution.Run(console, context, plan, folder, settings, settings, errors, cancellation,
            adopt: grows ? path => Grow(path, existing!, shared, plan) : null,
            prepare: path => design.WriteOrCheck(path), weight: c => ClaimsBudget.Seconds(c.Options, costs),
            reportCells: false); // the claims report is the product; `sgdwalk report <run>` draws any run's own figures
        if (settings.Emit is not null || settings.Shard is not null || code == ExitCodes.InvalidInput) return code;

        try
        {
            var outcome = ClaimsReport.WriteFiles(Path.GetFullPath(folder));
            PrintVerdicts(outcome);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            CliError.Write(console, e.Message);
            return ExitCodes.Failed;
        }
        return code;

        T Error<T>(T fallback, string message)
        {
            errors.Add(message);
            return fallback;
        }
    }

    /// <summary>
    /// Before the sweep checks sweep.json: a folder whose sweep.json is exactly the plan of its smaller design takes the
    /// grown plan's (the same cells, then the new seeds' cells); any other sweep.json is left for the check to refuse.
    /// </summary>
    private static void Grow(string folder, ClaimsDesign existing, TrainOptions shared, Sweeps.SweepPlan plan)
    {
        string path = Path.Combine(folder, Records.SweepManifest.FileName);
        if (File.Exists(path) && File.ReadAllText(path) == ClaimsPlan.Build(existing, shared).ToManifest().ToJson()) plan.ToManifest().Write(path);
    }

    /// <summary>Before any run: each test that cannot reach a bound with this design says so (it will print "underpowered" instead of that verdict).</summary>
    private void PrintPower(ClaimsDesign design)
    {
        foreach (var test in PaperClaims.Tests)
            if (test.PlannedPower(design) is { Count: > 0 } missing)
                console.MarkupLine(Markup.Escape($"claims: test {test.Id} is underpowered with this design ({string.Join("; ", missing)})"));
    }

    private int Fail(IEnumerable<string> errors) => CliError.Refuse(console, errors);

    /// <summary>The options every run of the plan shares: the scale's base with the user's model and data options.</summary>
    private static TrainOptions Shared(ExperimentScale scale, ClaimsSettings s, List<string> errors)
    {
        var shared = scale == ExperimentScale.Paper ? ClaimsPlan.PaperBase : s.Quick ? ClaimsPlan.QuickBase : ClaimsPlan.CpuBase;
        int[]? hidden = null;
        (int? Size, bool Auto)? probe = null;
        Probes.RecordSchedule? record = null;
        try
        {
            if (s.Hidden is not null) hidden = OptionParsing.Hidden(s.Hidden);
            if (s.ProbeSize is not null) probe = OptionParsing.ProbeSize(s.ProbeSize);
            if (s.Record is not null) record = OptionParsing.Schedule("--record", s.Record);
        }
        catch (FormatException e) { errors.Add(e.Message); }
        if (probe is { Auto: true }) errors.Add("--probe-size auto is not available for claims (every run must use the same probe view); give a size or 'full'");
        return shared with
        {
            Dataset = s.Dataset ?? shared.Dataset,
            DataDir = s.DataDir ?? shared.DataDir,
            Model = s.Model ?? shared.Model,
            Hidden = hidden ?? shared.Hidden,
            LearningRate = s.LearningRate ?? shared.LearningRate,
            BatchSize = s.BatchSize ?? shared.BatchSize,
            Epochs = s.Epochs ?? shared.Epochs,
            TrainSize = s.TrainSize ?? shared.TrainSize,
            ProbeSize = probe is { } p ? p.Size : shared.ProbeSize,
            Recorder = shared.Recorder with { Record = record ?? shared.Recorder.Record },
            Seed = s.Seed ?? shared.Seed,
            Threads = s.Threads ?? shared.Threads,
        };
    }

    private void PrintVerdicts(ClaimsOutcome outcome)
    {
        // Compact enough for an 80-column terminal; the reasons are in claims.md and report.html.
        var table = new Table().Title("[bold]the paper's claims, tested here[/]").AddColumns("claim", "verdict", "test", "estimate", "95 % CI", "Holm p", "per seed");
        foreach (var claim in outcome.Claims)
            foreach (var (test, i) in claim.Tests.Select((t, i) => (t, i)))
                table.AddRow(i == 0 ? claim.Claim.ToString(CultureInfo.InvariantCulture) : "", i == 0 ? $"[bold]{Colour(claim.Verdict)}[/]" : "",
                    Markup.Escape($"{test.Id} {ClaimsReport.VerdictText(test.Verdict)}"), ClaimTest.Format(test.Estimate),
                    Markup.Escape(ClaimsReport.Interval(test)), ClaimTest.Format(test.AdjustedPValue), Markup.Escape(ClaimsReport.SeedValues(test)));
        console.Write(table);
        if (outcome.Controls.Count > 0)
        {
            var controls = new Table().Title("[bold]controls: negative must not come out supported, positive must[/]")
                .AddColumns("control", "kind", "outcome", "estimate", "95 % CI", "per seed");
            foreach (var k in outcome.Controls)
                controls.AddRow(Markup.Escape(k.Name), ClaimsReport.ControlKind(k), Markup.Escape($"{ClaimsReport.ControlText(k.Outcome)} ({ClaimsReport.VerdictText(k.Test.Verdict)})"),
                    ClaimTest.Format(k.Test.Estimate), Markup.Escape(ClaimsReport.Interval(k.Test)), Markup.Escape(ClaimsReport.SeedValues(k.Test)));
            console.Write(controls);
        }
        if (outcome.Horizon.Count > 0)
        {
            var phases = new Table().Title("[bold]horizon: for most of training[/]").AddColumns("claim", "phase test", "estimate", "95 % CI", "Holm p", "per seed");
            foreach (var claim in outcome.Horizon)
                foreach (var test in claim.Tests)
                    phases.AddRow(claim.Claim.ToString(CultureInfo.InvariantCulture), Markup.Escape($"{test.Id} {ClaimsReport.VerdictText(test.Verdict)}"),
                        ClaimTest.Format(test.Estimate), Markup.Escape(ClaimsReport.Interval(test)), ClaimTest.Format(test.AdjustedPValue),
                        Markup.Escape(ClaimsReport.SeedValues(test)));
            console.Write(phases);
        }
        foreach (var c in outcome.Claims.Where(c => c.Horizon is not null))
            console.MarkupLine(Markup.Escape($"claims: claim {c.Claim}, {c.Horizon}"));
        foreach (var c in outcome.Claims.Where(c => c.UnderminedBy is not null))
            console.MarkupLine(Markup.Escape($"claims: claim {c.Claim}'s verdict is undermined: {c.UnderminedBy}"));
        foreach (var line in outcome.LeftOut) console.MarkupLine(Markup.Escape($"claims: {line}"));
        console.MarkupLineInterpolated($"claims: {string.Join(", ", outcome.Claims.Select(c => $"{c.Claim} {ClaimsReport.ClaimVerdictText(c)}"))}");
    }

    private static string Colour(Verdict verdict) => verdict switch
    {
        Verdict.Supported => "[green]supported[/]",
        Verdict.Contradicted => "[red]contradicted[/]",
        Verdict.Underpowered => "[grey]underpowered[/]",
        _ => "[yellow]inconclusive[/]",
    };

    /// <summary>How long the plan's runs train: the shared epochs, then the runs that train otherwise (so the banner never says "each" of runs it does not mean).</summary>
    private static string RunLengths(ClaimsDesign design, TrainOptions shared)
    {
        var others = new List<string>();
        if (design.HorizonEpochs > 0) others.Add($"horizon runs {design.HorizonEpochs}");
        if (design.TargetEpochs > 0) others.Add($"target runs up to {design.TargetEpochs}");
        if (design.Valley is not null) others.Add($"valley-control runs {ValleyControlPlan.Epochs}");
        string each = $"{shared.Epochs} epochs each";
        return others.Count == 0 ? each : $"{each}; {string.Join(", ", others)}";
    }

    /// <summary>The estimate in words: days or hours to one decimal, else whole minutes ("about a minute" below 1.5).</summary>
    internal static string Duration(TimeSpan t) => t.TotalDays >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalDays:F1} days")
        : t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalHours:F1} hours")
        : Math.Round(t.TotalMinutes) <= 1 ? "about a minute"
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Round(t.TotalMinutes):F0} minutes");
}
