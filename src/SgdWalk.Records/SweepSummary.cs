using System.Globalization;
using System.Text.Json.Nodes;
using S = SgdWalk.Records.Columns.Sweep;

namespace SgdWalk.Records;

/// <summary>
/// summary.csv of a sweep folder: one row per cell (an immediate subfolder with a run.json), computed from the cells'
/// files alone, so the sweep runner and `sgdwalk report` write the same file. Landscape numbers are on the probe view
/// (else the first view measured). Distances from the initialisation are compared two ways, because cells with
/// different batch sizes take different numbers of steps per epoch: at the last step of each epoch
/// (<c>dist_init_epoch_E</c>), and at step S−1 where S is the smallest number of steps any cell took
/// (<c>dist_init_equal_steps</c>, S in <c>equal_steps</c>). Cells that share their LR/batch ratio with another cell
/// get the same <c>ratio_group</c> (r1, r2, … in ascending ratio; empty when the ratio is unique).
/// </summary>
public static class SweepSummary
{
    public const string FileName = "summary.csv";

    private static readonly string[] Leading =
        [S.Cell, S.Status, S.LearningRate, Columns.BatchSize, S.Seed, S.LearningRateBatchRatio, S.RatioGroup, S.Steps, S.Epochs,
         S.MedianHeight, S.MeanHeight, S.InteriorFraction, S.MedianCosineGradient, S.FinalDistanceFromInit, S.EqualSteps, S.DistanceAtEqualSteps];

    private static readonly string[] Trailing =
        [S.FinalTrainAccuracy, S.FinalValidationAccuracy, S.FinalTestAccuracy, S.GeneralisationGap, Columns.WallSeconds];

    /// <summary>The run folders of a sweep folder, ordered by name.</summary>
    public static IReadOnlyList<RunFolder> Cells(string sweepFolder) =>
        Directory.Exists(sweepFolder)
            ? Directory.EnumerateDirectories(sweepFolder).Select(d => new RunFolder(d)).Where(f => File.Exists(f.Manifest))
                .OrderBy(f => Path.GetFileName(f.Path), StringComparer.Ordinal).ToList()
            : [];

    /// <summary>The header and rows of summary.csv for the cells present now.</summary>
    /// <param name="cache">What earlier calls read of the cells (a runner rewriting the file after every cell); null = read every cell.</param>
    public static (IReadOnlyList<string> Columns, IReadOnlyList<RowValues> Rows) Compute(string sweepFolder, SweepSummaryCache? cache = null)
    {
        var cells = Cells(sweepFolder).Select(f => cache is null ? CellFacts.ReadOrDamaged(f) : cache.Facts(f)).ToList();
        int maxEpochs = cells.Count == 0 ? 0 : cells.Max(c => c.EpochDistances.Count);
        var measuredSteps = cells.Where(c => c.Distances.Length > 0).Select(c => c.Distances.Length).ToList();
        int equalSteps = measuredSteps.Count == 0 ? 0 : measuredSteps.Min();

        // Ratios compared after rounding away float noise (0.1/100 and 0.2/200 are the same ratio).
        var groups = cells.GroupBy(c => Math.Round(c.LearningRate / c.BatchSize, 12)).Where(g => g.Select(c => c.BatchSize).Distinct().Count() > 1)
            .OrderBy(g => g.Key).Select((g, i) => (g.Key, Name: "r" + (i + 1).ToString(CultureInfo.InvariantCulture)))
            .ToDictionary(p => p.Key, p => p.Name);

        var columns = Leading.Concat(Enumerable.Range(1, maxEpochs).Select(e => EpochColumn(e))).Concat(Trailing).ToList();
        var rows = cells.Select(c =>
        {
            double ratio = c.LearningRate / c.BatchSize;
            var row = new RowValues()
                .SetText(S.Cell, c.Name).SetText(S.Status, c.Status)
                .Set(S.LearningRate, c.LearningRate).Set(Columns.BatchSize, c.BatchSize).Set(S.Seed, c.Seed)
                .Set(S.LearningRateBatchRatio, ratio).SetText(S.RatioGroup, groups.GetValueOrDefault(Math.Round(ratio, 12), ""))
                .Set(S.Steps, c.Summary.Steps).Set(S.Epochs, c.EpochDistances.Count)
                .Set(S.MedianHeight, c.Summary.MedianHeight).Set(S.MeanHeight, c.MeanHeight)
                .Set(S.InteriorFraction, c.Summary.InteriorFraction).Set(S.MedianCosineGradient, c.Summary.MedianCosGrad)
                .Set(S.FinalDistanceFromInit, c.Summary.FinalDistanceFromInit)
                .Set(S.EqualSteps, (long)equalSteps)
                .Set(S.DistanceAtEqualSteps, equalSteps > 0 && c.Distances.Length >= equalSteps ? c.Distances[equalSteps - 1] : double.NaN)
                .Set(S.FinalTrainAccuracy, c.Summary.FinalTrainAccuracy).Set(S.FinalValidationAccuracy, c.Summary.FinalValidationAccuracy)
                .Set(S.FinalTestAccuracy, c.Summary.FinalTestAccuracy)
                .Set(S.GeneralisationGap, c.Summary.FinalTrainAccuracy - c.Summary.FinalTestAccuracy)
                .Set(Columns.WallSeconds, c.Summary.TimingsSeconds.GetValueOrDefault("total_s", double.NaN));
            for (int e = 1; e <= c.EpochDistances.Count; e++) row.Set(EpochColumn(e), c.EpochDistances[e - 1]);
            return row;
        }).ToList();
        return (columns, rows);
    }

    /// <summary>Writes summary.csv (atomically: a reader never sees half a file) and returns its path.</summary>
    /// <param name="cache">As for <see cref="Compute"/>.</param>
    public static string Write(string sweepFolder, SweepSummaryCache? cache = null)
    {
        var (columns, rows) = Compute(sweepFolder, cache);
        // A unique temporary name: shards sharing the folder may write at the same moment.
        string path = Path.Combine(sweepFolder, FileName), temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        using (var log = new CsvLog(temporary, columns))
            foreach (var row in rows) log.Append(row);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    public static string EpochColumn(int epoch) => S.DistanceAtEpoch(epoch);

    /// <summary>What one cell's files say, read once.</summary>
    internal sealed record CellFacts(string Name, string Status, double LearningRate, double BatchSize, long Seed,
        RunSummary Summary, double MeanHeight, double[] Distances, IReadOnlyList<double> EpochDistances)
    {
        /// <summary>A cell whose files cannot be read is listed as `damaged` without numbers, not a reason to lose the
        /// summary of every other cell.</summary>
        public static CellFacts ReadOrDamaged(RunFolder folder)
        {
            try { return Read(folder); }
            catch (Exception e) when (e is InvalidDataException or IOException or FormatException or KeyNotFoundException)
            {
                var empty = new RunSummary("probe", 0, 0, double.NaN, double.NaN, double.NaN, double.NaN,
                    double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, new Dictionary<string, double>());
                return new CellFacts(Path.GetFileName(folder.Path), "damaged", double.NaN, double.NaN, 0, empty, double.NaN, [], []);
            }
        }

        public static CellFacts Read(RunFolder folder)
        {
            var manifest = RunManifest.Read(folder.Manifest);
            double Option(string name) => manifest.Options[name] is JsonValue v && v.TryGetValue(out double d) ? d : double.NaN;
            // A running cell (another shard's, or one whose process died) is listed without numbers: its files are
            // still being written, and a half-written row must not stop the summary.
            bool hasSteps = manifest.Status != RunStatus.Running && File.Exists(folder.Steps);
            var summary = hasSteps ? RunSummary.FromFolder(folder) : Empty(manifest);
            var steps = hasSteps ? CsvTable.Read(folder.Steps) : null;
            string heightColumn = Columns.OfView(summary.View, Columns.Height);
            double[] heights = steps is not null && steps.Has(heightColumn)
                ? steps.Numbers(heightColumn).Where(v => !double.IsNaN(v)).ToArray() : [];
            double[] distances = steps is not null && steps.Has(Columns.DistanceFromInit) ? steps.Numbers(Columns.DistanceFromInit) : [];
            // The last step row of each completed epoch (epochs.csv says which epochs ended).
            var epochDistances = new List<double>();
            if (steps is not null && distances.Length > 0 && File.Exists(folder.Epochs))
            {
                double[] epochOfStep = steps.Numbers(Columns.Epoch);
                var epochs = CsvTable.Read(folder.Epochs);
                foreach (double e in epochs.Numbers(Columns.Epoch))
                {
                    int last = Array.FindLastIndex(epochOfStep, x => x == e);
                    epochDistances.Add(last < 0 ? double.NaN : distances[last]);
                }
            }
            return new CellFacts(Path.GetFileName(folder.Path), manifest.Status.ToString().ToLowerInvariant(),
                Option("learning_rate"), Option("batch_size"), manifest.Seed, summary,
                heights.Length == 0 ? double.NaN : heights.Average(), distances.Where(d => !double.IsNaN(d)).ToArray(), epochDistances);
        }

        private static RunSummary Empty(RunManifest manifest) => new(Columns.ProbeView, 0, 0, double.NaN, double.NaN, double.NaN, double.NaN,
            double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, manifest.TimingsSeconds);
    }
}

/// <summary>
/// What <see cref="SweepSummary"/> read of each cell, for a process that rewrites summary.csv after every cell: a cell's
/// files (run.json, steps.csv, epochs.csv) are read again only when one of them has changed length or write time, so a
/// plan's summaries read each cell once instead of once per later cell (a cost that grew with the square of the plan).
/// The rows come out exactly as from a fresh read: the plan-wide columns (equal steps, ratio groups, epoch columns) are
/// still computed over all cells at every write, from the kept facts.
/// </summary>
public sealed class SweepSummaryCache
{
    private readonly Dictionary<string, (FileStamp[] Stamps, SweepSummary.CellFacts Facts)> cells = new(StringComparer.Ordinal);

    internal SweepSummary.CellFacts Facts(RunFolder folder)
    {
        FileStamp[] stamps = [FileStamp.Of(folder.Manifest), FileStamp.Of(folder.Steps), FileStamp.Of(folder.Epochs)];
        if (cells.TryGetValue(folder.Path, out var kept) && kept.Stamps.SequenceEqual(stamps)) return kept.Facts;
        var facts = SweepSummary.CellFacts.ReadOrDamaged(folder);
        cells[folder.Path] = (stamps, facts);
        return facts;
    }

    /// <summary>A file's length and last write time (length −1: absent).</summary>
    private readonly record struct FileStamp(long Length, DateTime Written)
    {
        public static FileStamp Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new(info.Length, info.LastWriteTimeUtc) : new(-1, default);
        }
    }
}
