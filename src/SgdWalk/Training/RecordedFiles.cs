using System.Security.Cryptography;
using System.Text.Json.Nodes;
using SgdWalk.Data;
using SgdWalk.Models;

namespace SgdWalk.Training;

/// <summary>
/// The files a run was trained on and run.json names by SHA-256 — a TorchScript model (`model_sha256`) and an .npz
/// dataset (`data_sha256`) — must still be those bytes before anything reads a run's snapshots with them (resume,
/// barrier): a file re-saved in place would otherwise give other numbers under the old run's name.
/// </summary>
public static class RecordedFiles
{
    /// <summary>Why the run's TorchScript file (or <paramref name="path"/>, a copy of it elsewhere) cannot stand for the one
    /// it was trained with; null when it can, or when the run has no TorchScript model.</summary>
    public static string? ModelProblem(JsonObject options, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        string model = options["model"]?.GetValue<string>() ?? "";
        if (!TorchScriptModel.Names(model)) return null;
        return Problem(path ?? TorchScriptModel.PathOf(model), options["model_sha256"]?.GetValue<string>(), "TorchScript file",
            "--model torchscript:PATH");
    }

    /// <summary>The same for the run's .npz dataset.</summary>
    public static string? DataProblem(JsonObject options, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        string dataset = options["dataset"]?.GetValue<string>() ?? "";
        if (!NpzDataset.IsNpz(dataset, out string recordedPath)) return null;
        return Problem(path ?? recordedPath, options["data_sha256"]?.GetValue<string>(), ".npz file", "--dataset npz:PATH");
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string? Problem(string path, string? recorded, string what, string option)
    {
        if (!File.Exists(path))
            return $"{path}: the run's {what} is not there (moved or deleted?); give a copy with the same SHA-256 with {option}";
        // A run that stopped before it loaded the file recorded no hash: nothing to compare.
        if (recorded is null) return null;
        string actual;
        try { actual = Sha256(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"{path}: the run's {what} cannot be read ({e.Message})"; }
        return actual == recorded ? null
            : $"{path}: differs from the {what} the checkpoints and run.json were written with (SHA-256 {recorded[..12]}… then, {actual[..12]}… " +
              $"now); restore that file, or give a copy of it with {option}";
    }
}
