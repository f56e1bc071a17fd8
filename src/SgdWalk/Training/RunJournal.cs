using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using SgdWalk.Checkpoints;
using SgdWalk.Data;
using SgdWalk.Platform;
using SgdWalk.Probes;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>
/// run.json while a run goes: every fact, count and timing the trainer records is set here, and the file is
/// rewritten when the run starts, after the probe-size pilot, at every epoch end and when the run ends, however it ends.
/// </summary>
internal sealed class RunJournal(RunManifest manifest, RunFolder folder)
{
    public RunFolder Folder => folder;

    public static RunJournal Start(TrainOptions options, RunFolder folder) => new(new RunManifest
    {
        Seed = options.Seed,
        Options = (JsonObject)JsonSerializer.SerializeToNode(options, RunManifest.Json)!,
        Versions = RunEnvironment.Versions(),
        StartedUtc = DateTimeOffset.UtcNow,
    }, folder);

    /// <summary>Runs <paramref name="train"/> and records how it ended: its status, or why it failed, and the total time.</summary>
    public TrainingResult Track(Func<TrainingResult> train)
    {
        var total = Stopwatch.StartNew();
        double previousTotal = manifest.TimingsSeconds.GetValueOrDefault("total_s");
        // A resume refused by a check that needs the data or the model loaded leaves run.json as it was, byte for byte.
        byte[]? before = File.Exists(folder.Manifest) ? File.ReadAllBytes(folder.Manifest) : null;
        bool refused = false;
        manifest.Threads = get_num_threads();
        manifest.Machine = RunEnvironment.Machine();
        manifest.Write(folder.Manifest);
        try
        {
            var result = train();
            manifest.Status = result.Status;
            manifest.Message = result.Message;
            return result;
        }
        catch (Exception e) when (e is DataFormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or IOException
            or ResumeException or System.Runtime.InteropServices.ExternalException or InvalidOperationException)
        {
            // A refused resume leaves the run as it was (interrupted, say); anything else, libtorch's own errors
            // included, marks it failed, with the reason on one line.
            refused = e is ResumeException && before is not null;
            manifest.Status = e is ResumeException ? manifest.Status : RunStatus.Failed;
            manifest.Message = TorchScriptRuntime.Reason(e);
            throw;
        }
        finally
        {
            if (refused) Restore(before!);
            else Finish(total.Elapsed.TotalSeconds + previousTotal);
        }
    }

    private void Restore(byte[] bytes)
    {
        string temporary = folder.Manifest + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, folder.Manifest, overwrite: true);
    }

    private void Finish(double totalSeconds)
    {
        manifest.FinishedUtc = DateTimeOffset.UtcNow;
        manifest.TimingsSeconds["total_s"] = totalSeconds;
        // The whole process's peak (a run in a process that did other work first reports that work's peak too).
        if (RunEnvironment.PeakMemoryMegabytes() is long peak) manifest.Counts["peak_memory_mb"] = peak;
        manifest.Write(folder.Manifest);
    }

    public void DataLoaded(DataBundle data, TimeSpan took)
    {
        manifest.Options["data_directory"] = data.Directory;
        // A file dataset (npz:) says which file exactly and how its pixels were turned into inputs.
        if (data.Sha256 is not null) manifest.Options["data_sha256"] = data.Sha256;
        if (data.Normalisation is not null) manifest.Options["data_normalisation"] = data.Normalisation;
        manifest.TimingsSeconds["data_s"] = took.TotalSeconds;
    }

    /// <summary>
    /// `--init-from`: records the file's SHA-256, then loads it. A run resumed before its first checkpoint loads the
    /// file again and refuses one that changed since the run started.
    /// </summary>
    public void InitialisedFrom(string path, Action load)
    {
        string sha;
        try
        {
            using (var file = File.OpenRead(path)) sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"--init-from cannot be read ({e.Message})");
        }
        if (manifest.Options["init_from_sha256"]?.GetValue<string>() is { } recorded && recorded != sha)
            throw new ResumeException($"{path}: changed since the run started (SHA-256 {recorded[..12]}… then, {sha[..12]}… now); " +
                "refusing to start the resumed run from other weights");
        try { load(); }
        catch (InvalidDataException e) { throw new DataFormatException(path, e.Message.StartsWith(path, StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message); }
        manifest.Options["init_from_sha256"] = sha;
    }

    public void ModelBuilt(long parameters) => manifest.Counts["parameters"] = parameters;

    /// <summary>Whether the cheap preset's pass may take this run's optimiser step here (it gives libtorch's bits), or copies.</summary>
    public void StepPassChecked(bool matchesLibTorch) =>
        manifest.Machine["sgd_step_pass"] = matchesLibTorch ? "libtorch's bits" : "other bits than libtorch's: the cheap preset copies";

    /// <summary>A TorchScript model: which file exactly (its SHA-256) and, when present, what its sidecar says of it.</summary>
    public void ModelLoaded(Models.TorchScriptModel model)
    {
        manifest.Options["model_sha256"] = model.Sha256;
        if (model.Sidecar is { } sidecar) manifest.Options["model_sidecar"] = sidecar.Json.DeepClone();
    }

    /// <summary>Once every check has passed: the run is running again, and run.json counts the resume.</summary>
    public void Resumed(CheckpointFile? checkpoint) => ResumePlan.MarkResumed(manifest, checkpoint);

    /// <summary>The probe size an earlier start of this run chose (`--probe-size auto`), so a resumed run keeps its probe view.</summary>
    public int? CalibratedProbeSize => manifest.Options["probe_calibration"]?["size"]?.GetValue<int>();

    public void ProbeCalibrated(ProbeCalibrationResult result, TimeSpan took)
    {
        manifest.Options["probe_calibration"] = JsonSerializer.SerializeToNode(result, RunManifest.Json);
        manifest.TimingsSeconds["probe_calibration_s"] = took.TotalSeconds;
        manifest.Write(folder.Manifest);
    }

    public void NoiseEstimated(double maxGradientVariance, double standardDeviation)
    {
        manifest.Options["max_gradient_variance"] = maxGradientVariance;
        manifest.Options["isotropic_noise_std"] = standardDeviation;
    }

    public void ProbeSamples(int count) => manifest.Counts["probe_samples"] = count;

    public void Planned(int stepsPerEpoch, int totalSteps)
    {
        manifest.Counts["steps_per_epoch"] = stepsPerEpoch;
        manifest.Counts["total_steps"] = totalSteps;
    }

    /// <summary>`--stop-loss`: the target and the latest check's outcome; written to disk at the next epoch end or when the run ends.</summary>
    public void StopLoss(LossTarget record) => manifest.StopLoss = record;

    /// <summary>`--end-curvature`: the curvature at the final weights; written when the run ends.</summary>
    public void EndCurvature(EndCurvature record) => manifest.EndCurvature = record;

    /// <summary>floor-sgd / height-sgd: the steps so far whose floor lay beyond the line search's cap (<see cref="FloorStep.MaxAlpha"/>).</summary>
    public void FloorSearch(long beyondCap) => manifest.Counts["floor_beyond_cap"] = beyondCap;

    /// <summary>Where the run stands; written to disk at the next epoch end or when the run ends.</summary>
    public void Progress(int steps, WalkRecorder recorder)
    {
        manifest.Counts["steps"] = steps;
        manifest.Counts["recorded_steps"] = recorder.RecordedSteps;
        manifest.Counts["hessian_vector_products"] = recorder.Hessian.Products;
    }

    /// <summary>
    /// The run's own time split so far: <c>training_s</c> (steps and checkpoints), <c>probes_s</c>, <c>evaluation_s</c>.
    /// Their sum is the run's own work, without process start-up, data loading and set-up (those are in <c>total_s</c>),
    /// which is what a sweep's wall time is compared with.
    /// </summary>
    public void Timed(WalkRecorder recorder, TimeSpan wall, TimeSpan evaluation, double evaluationBeforeResume)
    {
        manifest.TimingsSeconds["probes_s"] = recorder.ProbeTime.TotalSeconds;
        manifest.TimingsSeconds["evaluation_s"] = evaluationBeforeResume + evaluation.TotalSeconds;
        manifest.TimingsSeconds["training_s"] = (wall - recorder.ProbeTime - evaluation).TotalSeconds;
    }

    /// <summary>An epoch's end: the time split between training, probes and evaluation so far, the counts, then run.json.</summary>
    public void EpochEnded(int epoch, int steps, WalkRecorder recorder, TimeSpan wall, TimeSpan evaluation, double evaluationBeforeResume)
    {
        Timed(recorder, wall, evaluation, evaluationBeforeResume);
        Progress(steps, recorder);
        manifest.Counts["epochs"] = epoch;
        manifest.Write(folder.Manifest);
    }
}
