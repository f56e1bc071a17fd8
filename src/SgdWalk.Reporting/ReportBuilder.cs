using System.Globalization;
using SgdWalk.Records;
using SgdWalk.Reporting.Data;
using SgdWalk.Reporting.Figures;
using SgdWalk.Reporting.Output;

namespace SgdWalk.Reporting;

/// <summary>Draws the figures and writes report.html and summary.md for a run folder or a sweep folder, from files alone.</summary>
public static class ReportBuilder
{
    /// <summary>
    /// Writes figures/&lt;name&gt;.png and .svg, report.html (self-contained) and summary.md into <paramref name="folder"/>
    /// and returns the paths written. A run folder holds run.json; a sweep folder holds run folders.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder is neither kind, or one of its files is missing or malformed (named in the message).</exception>
    public static IReadOnlyList<string> Build(string folder, ReportOptions options) => Build(folder, options, null);

    /// <summary>As above; <paramref name="note"/> hears what the report had to leave out or qualify (a run still
    /// being written, a damaged sweep cell), one line each, so a console can show it.</summary>
    public static IReadOnlyList<string> Build(string folder, ReportOptions options, Action<string>? note)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string path = Path.GetFullPath(folder);
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: no such folder");

        // ScottPlot formats tick labels with the current culture; pin it so figures are the same in every locale.
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        try
        {
            if (RunData.IsRunFolder(path))
            {
                var run = RunData.Load(path);
                if (run.Manifest.Status == RunStatus.Running)
                    note?.Invoke($"{run.Name} is still running (or its process was killed): drawn from the rows written so far");
                return BuildRun(run, options, note);
            }
            if (SweepData.IsSweepFolder(path) || Claims.ClaimsEvaluation.IsClaimsFolder(path))
            {
                var sweep = SweepData.Load(path);
                foreach (var line in sweep.Damaged) note?.Invoke(line);
                return BuildSweep(sweep, options);
            }
            throw new InvalidDataException(
                $"{path}: neither a run folder (no run.json) nor a sweep folder (no subfolder with a run.json)");
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = uiCulture;
        }
    }

    /// <summary>What --window and --profile-epochs ask for beyond what the run recorded, one line each.</summary>
    private static IEnumerable<string> OutOfRange(RunData run, ReportOptions options)
    {
        var profiled = run.ProfiledSteps(run.MainView);
        if (profiled.Length == 0) yield break;
        if (options.WindowStart is { } start && WalkWindow.Select(profiled, start, options.WindowCount).Length == 0)
            yield return string.Create(CultureInfo.InvariantCulture, $"--window {start}:{options.WindowCount}: the run has no recorded step at or " +
                $"after {start} (recorded: steps {profiled[0]}–{profiled[^1]}); the walk figure is left out");
        if (options.ProfileEpochs is { } requested)
        {
            var available = ProfilesFigure.AvailableEpochs(run);
            var missing = requested.Where(e => !available.Contains(e)).Distinct().Order().ToList();
            if (missing.Count > 0)
                yield return string.Create(CultureInfo.InvariantCulture, $"--profile-epochs: epoch{(missing.Count == 1 ? "" : "s")} " +
                    $"{string.Join(",", missing)} {(missing.Count == 1 ? "has" : "have")} no recorded profiles (recorded: epochs " +
                    $"{available[0]}–{available[^1]}); {(missing.Count == requested.Distinct().Count() ? "the profiles figure is left out" : "drawn without them")}");
        }
    }

    public static string? NotReportable(string folder)
    {
        string path = Path.GetFullPath(folder);
        if (File.Exists(path)) return $"{path}: is a file; give a run or sweep folder";
        if (!Directory.Exists(path)) return $"{path}: no such folder";
        if (RunData.IsRunFolder(path) || SweepData.IsSweepFolder(path) || Claims.ClaimsEvaluation.IsClaimsFolder(path)) return null;
        return $"{path}: neither a run folder (no run.json) nor a sweep folder (no subfolder with a run.json)";
    }

    /// <summary>The figures a run's report can hold (figures/NAME.png and .svg).</summary>
    private static readonly string[] RunFigures = ["walk", "height", "profiles", "training", "sharpness", "floor-path"];

    private static IReadOnlyList<string> BuildRun(RunData run, ReportOptions options, Action<string>? note)
    {
        var facts = RunFacts.From(run);
        string figures = run.Folder.Figures;
        foreach (var line in OutOfRange(run, options)) note?.Invoke(line);
        var drawn = new[]
        {
            WalkFigure.Draw(run, options, figures),
            HeightFigure.Draw(run, options, figures),
            ProfilesFigure.Draw(run, options, figures),
            TrainingFigure.Draw(run, options, figures),
            SharpnessFigure.Draw(run, options, figures),
            AlignmentFigure.Draw(run, options, figures),
            FloorPathFigure.Draw(run, options, figures),
        }.OfType<FigureFile>().ToList();
        // A figure not drawn this time must not survive from an earlier report: figures/ shows what report.html shows.
        foreach (var name in RunFigures.Except(drawn.Select(f => f.Name)))
        {
            foreach (var extension in new[] { ".png", ".svg" })
            {
                string stale = Path.Combine(figures, name + extension);
                if (!File.Exists(stale)) continue;
                File.Delete(stale);
                note?.Invoke($"removed {stale}, an earlier report's figure this report does not draw");
            }
        }

        var runOptions = run.Manifest.Options;
        string model = runOptions["model"]?.ToString() ?? "?", dataset = runOptions["dataset"]?.ToString() ?? "?";
        var page = new ReportPage(
            $"SgdWalk run {run.Name}",
            $"{model} on {dataset}, learning rate {Numbers.Format(facts.LearningRate)}, batch size {Numbers.Integer(facts.BatchSize)}, " +
            $"seed {facts.Seed}; status {facts.Status}; {facts.Summary.Steps} steps, {facts.Summary.RecordedSteps} recorded. " +
            "Every number and figure below is computed from the run folder's files alone.",
            Settings(run.Manifest),
            ["quantity", "value", "meaning"],
            SummaryRows.ForRun(facts).Select(r => (IReadOnlyList<string>)[r.Quantity, r.Value, r.Meaning]).ToList(),
            drawn);
        return Write(run.Folder.Path, page);
    }

    private static IReadOnlyList<string> BuildSweep(SweepData sweep, ReportOptions options)
    {
        string figures = Path.Combine(sweep.Path, "figures");
        // A claims folder (claims-design.json) leads with its verdicts: claims.json and claims.md are recomputed too.
        ClaimsSection? claims = null;
        var extra = new List<string>();
        if (Claims.ClaimsEvaluation.IsClaimsFolder(sweep.Path))
        {
            var outcome = ClaimsReport.WriteFiles(sweep.Path);
            claims = new ClaimsSection(outcome, ClaimsFigures.Draw(outcome, options, figures).ToList());
            extra.AddRange([Path.Combine(sweep.Path, Records.Claims.ClaimsOutcome.FileName), Path.Combine(sweep.Path, ClaimsReport.Markdown),
                .. claims.Figures.SelectMany(f => new[] { f.Png, f.Svg })]);
        }
        var drawn = sweep.Cells.Count == 0 ? [] : SweepFigures.Draw(sweep, options, figures).Concat(SweepHeatmaps.Draw(sweep, options, figures)).ToList();
        var page = new ReportPage(
            $"SgdWalk {(claims is null ? "sweep" : "claims")} {Path.GetFileName(sweep.Path)}",
            $"{sweep.Cells.Count} runs over {sweep.LearningRates.Length} learning rate(s) × {sweep.BatchSizes.Length} batch size(s). " +
            "Landscape numbers are on the probe view; cells with several seeds are averaged in the figures." +
            (sweep.Damaged.Count > 0 ? " Not drawn: " + string.Join("; ", sweep.Damaged) + "." : ""),
            [
                ("learning rates", string.Join(", ", sweep.LearningRates.Select(Numbers.Format))),
                ("batch sizes", string.Join(", ", sweep.BatchSizes.Select(Numbers.Integer))),
            ],
            SummaryRows.SweepHeader,
            sweep.Cells.Select(c => (IReadOnlyList<string>)SummaryRows.ForCell(c)).ToList(),
            drawn,
            claims);
        // summary.csv is recomputed from the cells' files too, so a merged (sharded) sweep gets a complete one.
        string summary = SweepSummary.Write(sweep.Path);
        return [.. extra, .. Write(sweep.Path, page), summary];
    }

    private static List<(string, string)> Settings(RunManifest m) =>
    [
        .. m.Options.Select(o => (o.Key, o.Value?.ToJsonString(RunManifest.Json) ?? "null")),
        ("threads", m.Threads.ToString(CultureInfo.InvariantCulture)),
        ("started", m.StartedUtc.ToString("O", CultureInfo.InvariantCulture)),
        ("finished", m.FinishedUtc?.ToString("O", CultureInfo.InvariantCulture) ?? "n/a"),
        .. m.Versions.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => ($"version {v.Key}", v.Value)),
        .. m.Machine.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => ($"machine {v.Key}", v.Value)),
        .. m.Counts.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => ($"count {v.Key}", v.Value.ToString(CultureInfo.InvariantCulture))),
    ];

    private static List<string> Write(string folder, ReportPage page)
    {
        string html = Path.Combine(folder, "report.html"), markdown = Path.Combine(folder, "summary.md");
        File.WriteAllText(html, HtmlReport.Render(page));
        File.WriteAllText(markdown, MarkdownSummary.Render(page));
        return [.. page.Figures.SelectMany(f => new[] { f.Png, f.Svg }), html, markdown];
    }
}
