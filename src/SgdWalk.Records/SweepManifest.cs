using System.Text.Json;
using System.Text.Json.Nodes;

namespace SgdWalk.Records;

/// <summary>
/// sweep.json: what a sweep folder is meant to hold. The grid's axes, the options every cell shares, and each cell's
/// index, folder name and own options (only those that differ from the shared ones). It holds no timestamps or
/// machine facts, so every shard of a sweep writes the same bytes and a rerun can check it is the same sweep.
/// </summary>
public sealed class SweepManifest
{
    public const string FileName = "sweep.json";

    public string Tool { get; set; } = "SgdWalk";

    /// <summary>The preset that made the sweep (`sgdwalk experiment NAME`), or null for `sgdwalk sweep`.</summary>
    public string? Experiment { get; set; }

    /// <summary>The grid: axis name (learning_rate, batch_size, seed, schedule, …) → its values in order.</summary>
    public Dictionary<string, List<string>> Axes { get; set; } = new();

    /// <summary>Options every cell shares, as run.json spells them.</summary>
    public JsonObject Shared { get; set; } = new();

    public List<SweepManifestCell> Cells { get; set; } = new();

    public void Write(string path)
    {
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temporary, ToJson());
        File.Move(temporary, path, overwrite: true);
    }

    public string ToJson() => JsonSerializer.Serialize(this, RunManifest.Json) + "\n";

    public static SweepManifest Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<SweepManifest>(File.ReadAllText(path), RunManifest.Json)
                ?? throw new InvalidDataException($"{path}: empty sweep manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid sweep manifest ({e.Message})");
        }
    }
}

/// <summary>One cell of sweep.json: its place in the plan (shards split by it), its folder and its own options.</summary>
public sealed class SweepManifestCell
{
    public int Index { get; set; }

    public string Name { get; set; } = "";

    public JsonObject Options { get; set; } = new();
}
