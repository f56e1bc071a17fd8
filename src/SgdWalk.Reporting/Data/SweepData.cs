namespace SgdWalk.Reporting.Data;

/// <summary>A sweep folder: its immediate subfolders that are run folders (the cells), ordered by LR, batch size, name.</summary>
internal sealed class SweepData
{
    private SweepData(string path, IReadOnlyList<RunFacts> cells, IReadOnlyList<string> damaged)
    {
        Path = path;
        Cells = cells;
        Damaged = damaged;
    }

    /// <summary>One line per cell whose files could not be read (left out of the figures, named in the report).</summary>
    public IReadOnlyList<string> Damaged { get; }

    public string Path { get; }

    public IReadOnlyList<RunFacts> Cells { get; }

    public double[] LearningRates => Cells.Select(c => c.LearningRate).Where(double.IsFinite).Distinct().Order().ToArray();

    public double[] BatchSizes => Cells.Select(c => c.BatchSize).Where(double.IsFinite).Distinct().Order().ToArray();

    public static bool IsSweepFolder(string path) =>
        Directory.Exists(path) && Directory.EnumerateDirectories(path).Any(RunData.IsRunFolder);

    public static SweepData Load(string path)
    {
        // One damaged cell (a hand-edited file, a disk error) must not cost the report of all the others.
        var cells = new List<RunFacts>();
        var damaged = new List<string>();
        bool claims = Claims.ClaimsEvaluation.IsClaimsFolder(path);
        foreach (var d in Directory.EnumerateDirectories(path).Where(RunData.IsRunFolder).Order(StringComparer.Ordinal))
        {
            try
            {
                var run = RunData.Load(d);
                // A claims folder's valley-control runs (two parameters, losses near 1000) are not cells of the network's
                // grid; claims.md reports them.
                if (claims && Records.Claims.ValleyControl.Runs(run.Manifest.Options["model"]?.ToString() ?? "")) continue;
                cells.Add(RunFacts.From(run));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or FormatException or KeyNotFoundException)
            {
                damaged.Add($"cell {System.IO.Path.GetFileName(d)} left out: {e.Message}");
            }
        }
        cells = cells.OrderBy(c => c.LearningRate).ThenBy(c => c.BatchSize).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
        return new SweepData(System.IO.Path.GetFullPath(path), cells, damaged);
    }

    /// <summary>
    /// One value per (LR, batch) cell: the mean over the runs of that cell (seeds), NaN where the grid has no run.
    /// </summary>
    public double Cell(double learningRate, double batchSize, Func<RunFacts, double> value)
    {
        var values = Cells.Where(c => c.LearningRate == learningRate && c.BatchSize == batchSize)
            .Select(value).Where(double.IsFinite).ToArray();
        return values.Length == 0 ? double.NaN : values.Average();
    }
}
