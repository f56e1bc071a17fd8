using System.Globalization;
using System.Text.Json;

namespace SgdWalk.Records;

/// <summary>
/// What running a plan cost beyond its runs' own work, for one invocation that ran cells: the wall time from the first
/// cell's start to the last cell's end, against the sum of the runs' own times from their run.json (<c>training_s</c> +
/// <c>probes_s</c> + <c>evaluation_s</c>: steps, checkpoints, probes, per-epoch evaluation). With J jobs the runs share
/// the wall J ways, so <see cref="Overhead"/> = wall / (own / J) − 1, J = min(jobs, runs): process start-up, data
/// loading, each run's set-up, files, and job slots idle at the end. <c>total_s</c> summed over the runs
/// (<see cref="RunsTotalSeconds"/>) adds each run's in-process set-up (data, model, probe views) to its own time, which
/// splits the overhead into set-up inside the runs and cost outside them. Kept in the sweep folder's timing.json, one
/// entry per invocation (a resumed plan adds one).
/// </summary>
public sealed class SweepTiming
{
    public const string FileName = "timing.json";

    public DateTimeOffset StartedUtc { get; set; }

    public int Jobs { get; set; }

    /// <summary>Runs this invocation ran (cells finished before it, or held by another process, are not counted).</summary>
    public int Runs { get; set; }

    public double WallSeconds { get; set; }

    public double TrainingSeconds { get; set; }

    public double ProbesSeconds { get; set; }

    public double EvaluationSeconds { get; set; }

    /// <summary>The runs' <c>total_s</c> summed: their own time plus their in-process set-up (data loading, model, views).</summary>
    public double RunsTotalSeconds { get; set; }

    /// <summary>
    /// Each process that ran cells (this one for a sequential sweep, each warm worker with --jobs): how many datasets it
    /// loaded and its resident memory after each of its cells, so a plan shows one load per dataset per process and
    /// memory that stays flat from cell to cell.
    /// </summary>
    public List<ProcessRecord> Processes { get; set; } = [];

    /// <summary>The runs' own work: training + probes + evaluation, summed over the runs.</summary>
    public double OwnSeconds => TrainingSeconds + ProbesSeconds + EvaluationSeconds;

    /// <summary>wall / (own / J) − 1 with J = min(jobs, runs); NaN when no run recorded its time.</summary>
    public double Overhead => OwnSeconds > 0 && Runs > 0 ? WallSeconds / (OwnSeconds / Math.Min(Jobs, Runs)) - 1 : double.NaN;

    /// <summary>The timing of the runs in <paramref name="cellFolders"/> (read from their run.json) against the wall time they took.</summary>
    public static SweepTiming Measure(IEnumerable<string> cellFolders, int jobs, DateTimeOffset startedUtc, double wallSeconds)
    {
        var timing = new SweepTiming { StartedUtc = startedUtc, Jobs = Math.Max(1, jobs), WallSeconds = wallSeconds };
        foreach (string cell in cellFolders)
        {
            var folder = new RunFolder(cell);
            if (!File.Exists(folder.Manifest)) continue;
            Dictionary<string, double> t;
            try { t = RunManifest.Read(folder.Manifest).TimingsSeconds; }
            catch (InvalidDataException) { continue; }
            timing.Runs++;
            timing.TrainingSeconds += t.GetValueOrDefault("training_s");
            timing.ProbesSeconds += t.GetValueOrDefault("probes_s");
            timing.EvaluationSeconds += t.GetValueOrDefault("evaluation_s");
            timing.RunsTotalSeconds += t.GetValueOrDefault("total_s");
        }
        return timing;
    }

    /// <summary>One line for the summary: the wall, the runs' own time per job, and the overhead.</summary>
    public string Describe()
    {
        int slots = Math.Max(1, Math.Min(Jobs, Runs));
        string perJob = slots > 1 ? string.Create(CultureInfo.InvariantCulture, $" = {OwnSeconds / slots:F1} s per job") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Runs} runs in {WallSeconds:F1} s wall{(Jobs > 1 ? $" ({Jobs} jobs)" : "")}; their own training + probes + evaluation {OwnSeconds:F1} s{perJob}; " +
            $"overhead {Overhead * 100:F1} % (set-up inside the runs {RunsTotalSeconds - OwnSeconds:F1} s)");
    }

    /// <summary>Adds this invocation to the folder's timing.json (written whole to a temporary file, then renamed).</summary>
    public void Append(string sweepFolder)
    {
        string path = Path.Combine(sweepFolder, FileName);
        var all = new List<SweepTiming>();
        if (File.Exists(path))
        {
            try { all = JsonSerializer.Deserialize<List<SweepTiming>>(File.ReadAllText(path), RunManifest.Json) ?? []; }
            catch (JsonException) { } // a torn file is replaced: it only ever held timings
        }
        all.Add(this);
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(all, RunManifest.Json) + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Every invocation recorded in a sweep folder's timing.json (empty when there is none).</summary>
    public static IReadOnlyList<SweepTiming> Read(string sweepFolder)
    {
        string path = Path.Combine(sweepFolder, FileName);
        if (!File.Exists(path)) return [];
        try { return JsonSerializer.Deserialize<List<SweepTiming>>(File.ReadAllText(path), RunManifest.Json) ?? []; }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a valid timing file ({e.Message})"); }
    }
}

/// <summary>One process of a plan's invocation: its data loads and its resident memory (MB) after each cell it ran.</summary>
public sealed class ProcessRecord
{
    public int DataLoads { get; set; }

    public List<double> ResidentMb { get; set; } = [];
}
