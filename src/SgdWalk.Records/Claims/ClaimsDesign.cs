using System.Text.Json;

namespace SgdWalk.Records.Claims;

/// <summary>
/// Which runs of a claims folder play which part (claims-design.json, written before the first run): the base
/// setting (learning rate × batch size), the learning rates tried at the base batch size (claim 2), the batch sizes
/// tried at the base learning rate (claims 3 and 6), the pair with the base's LR/batch ratio (claim 3), the seeds.
/// Every test finds its runs through this and the runs' own run.json, so `sgdwalk report` needs nothing else.
/// </summary>
public sealed record ClaimsDesign
{
    public const string FileName = "claims-design.json";

    public string Scale { get; init; } = "cpu";

    public double LearningRate { get; init; }

    public int BatchSize { get; init; }

    public IReadOnlyList<double> LearningRates { get; init; } = [];

    public IReadOnlyList<int> BatchSizes { get; init; } = [];

    public double PairLearningRate { get; init; }

    public int PairBatchSize { get; init; }

    public IReadOnlyList<long> Seeds { get; init; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, RunManifest.Json) + "\n";

    public static ClaimsDesign Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ClaimsDesign>(File.ReadAllText(path), RunManifest.Json)
                ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a claims design ({e.Message})");
        }
    }

    /// <summary>Writes the design, or checks that the one already in the folder is this same design.</summary>
    public void WriteOrCheck(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (File.Exists(path))
        {
            if (File.ReadAllText(path) != ToJson())
                throw new IOException($"{path}: describes a different claims design; choose another --out, or delete that folder to start over");
            return;
        }
        File.WriteAllText(path, ToJson());
    }
}
