using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SgdWalk.Records;

/// <summary>
/// run.json: everything needed to understand and repeat a run (every option, seed, versions, threads, machine),
/// its status and where the time went. Rewritten atomically so a crash never leaves half a file behind.
/// </summary>
public sealed class RunManifest
{
    public string Tool { get; set; } = "SgdWalk";

    public RunStatus Status { get; set; } = RunStatus.Running;

    /// <summary>One line saying why the run stopped early (failed, diverged, interrupted); null otherwise.</summary>
    public string? Message { get; set; }

    public long Seed { get; set; }

    /// <summary>Every option as the run saw it, after defaults were applied.</summary>
    public JsonObject Options { get; set; } = new();

    public Dictionary<string, string> Versions { get; set; } = new();

    public Dictionary<string, string> Machine { get; set; } = new();

    public int Threads { get; set; }

    public DateTimeOffset StartedUtc { get; set; }

    public DateTimeOffset? FinishedUtc { get; set; }

    /// <summary>Wall-clock seconds per part of the run (data, training, probes, evaluation, total).</summary>
    public Dictionary<string, double> TimingsSeconds { get; set; } = new();

    /// <summary>Counts that describe the run's extent (steps, recorded steps, epochs).</summary>
    public Dictionary<string, long> Counts { get; set; } = new();

    /// <summary>`--stop-loss`: the training-loss target and whether (and at which step) the run reached it; null without a target.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LossTarget? StopLoss { get; set; }

    /// <summary>`--end-curvature`: λ_max and the trace of the probe-view Hessian at the run's final weights; null when not measured.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EndCurvature? EndCurvature { get; set; }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Enum values as the command line spells them (batch-stats, paper); '+' and the like written as they are.
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void Write(string path)
    {
        // Write next to the target, then rename: readers see the old file or the new one, never a torn one.
        string temporary = path + ".tmp";
        try
        {
            File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json) + "\n");
            File.Move(temporary, path, overwrite: true);
        }
        catch (IOException)
        {
            // A full disk: no room for a second copy, so the status would stay "running" forever. The compact form
            // usually fits in the blocks the old file already holds; overwrite it in place (not atomic, but it only
            // replaces bytes that are already allocated), else give up with the system's message.
            File.Delete(temporary);
            if (!File.Exists(path) || !TryRewriteInPlace(path)) throw;
        }
    }

    private static readonly JsonSerializerOptions Compact = new(Json) { WriteIndented = false };

    private bool TryRewriteInPlace(string path)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, Compact) + "\n");
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
            if (bytes.Length > file.Length) return false;
            file.Write(bytes);
            file.SetLength(bytes.Length);
            file.Flush(flushToDisk: true);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static RunManifest Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: empty run manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid run manifest ({e.Message})");
        }
    }
}

/// <summary>
/// run.json's stop_loss (docs/run-folder.md): the target L, the view its loss is measured on (the training images outside
/// the probe view, eval mode; the whole split when the probe view is all of it) and how many images that is, how often it
/// is checked, and the outcome: <see cref="Reached"/> with the step and loss of the first check at or below L, or, when the
/// cap came first, the step and loss of the last check (the run's end).
/// </summary>
public sealed record LossTarget
{
    public double Target { get; init; }

    /// <summary>"outside-probe" or "whole-split".</summary>
    public string View { get; init; } = "";

    public int Images { get; init; }

    /// <summary>Steps between checks (every epoch's end is also checked).</summary>
    public int CheckEvery { get; init; }

    public bool Reached { get; init; }

    /// <summary>The step of the stop (reached) or of the last check (not reached, or not yet checked: null).</summary>
    public int? Step { get; init; }

    /// <summary>The view's mean cross-entropy at <see cref="Step"/>.</summary>
    public double? Loss { get; init; }

    /// <summary>The view's accuracy at <see cref="Step"/>.</summary>
    public double? Accuracy { get; init; }
}

/// <summary>
/// run.json's end_curvature (docs/run-folder.md): at the run's final weights (step <see cref="Step"/>), the top eigenvalue of
/// the probe-view Hessian (<see cref="Eigen"/> method, at most <see cref="EigenIterations"/> products) and its Hutchinson
/// trace with the standard error (NaN with 0 trace samples).
/// </summary>
public sealed record EndCurvature
{
    public int Step { get; init; }

    public double LambdaMax { get; init; }

    public double Trace { get; init; }

    public double TraceStandardError { get; init; }

    public string Eigen { get; init; } = "";

    public int EigenIterations { get; init; }

    public int TraceSamples { get; init; }

    public int ProbeSamples { get; init; }
}
