using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SgdWalk.Checkpoints;
using SgdWalk.Landscape;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.TestSupport;
using SgdWalk.Training;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Training;

/// <summary>
/// Issue 23 part 1, "options nested once": a recorder knob is a property of <see cref="RecorderOptions"/> (or its
/// <see cref="SharpnessOptions"/> / <see cref="AlignmentOptions"/>) and nowhere else in the library; run.json keeps the
/// flat keys run folders had before, so a folder written by the flat options (Fixtures/flat-options-run, by
/// `sgdwalk train` of 2026-12-07, see <see cref="FixtureArguments"/>) reads and resumes as it is.
/// </summary>
public class NestedOptionsTests
{
    /// <summary>How Fixtures/flat-options-run was made (main at a494b0c, before the nesting), then marked failed with its
    /// checkpoints at steps 0 and 4 deleted, so a resume starts from step 2.</summary>
    public const string FixtureArguments = "train --dataset synthetic --hidden 8 --steps 4 --batch-size 20 --threads 1 --seed 5 " +
        "--probe-size 100 --record every:2 --alphas 0:1:0.25 --floor-lags 1 --sharpness steps:0,2 --top-k 2 --trace-samples 2 " +
        "--batch-sharpness-batches 2 --alignment every:2 --alignment-k 2 --alignment-batch-sizes 10,20 --alignment-batches 2 " +
        "--alignment-iterations 4 --checkpoint-every 2 --keep-checkpoints 5 --no-report";

    /// <summary>Fixtures/flat-options-run/run: the folder to resume; …/expected: steps.csv, profiles.csv, epochs.csv and
    /// checkpoints/final.dat of the whole run.</summary>
    private static string Fixture => Path.Combine(TestDependencies.RepositoryRoot(), "tests", "SgdWalk.Tests", "Fixtures", "flat-options-run");

    private static string FixtureRun => Path.Combine(Fixture, "run");

    /// <summary>The knobs the recorder's records write to run.json (what the run derives is [JsonIgnore]d).</summary>
    private static IEnumerable<string> Written(Type record) => record.GetProperties()
        .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null).Select(p => p.Name);

    [Fact]
    public void No_recorder_knob_is_mirrored_on_the_train_options()
    {
        var own = typeof(TrainOptions).GetProperties().Select(p => p.Name).ToHashSet();
        Assert.Empty(own.Intersect(typeof(RecorderOptions).GetProperties().Select(p => p.Name)));
        // The sharpness and alignment schedules are written under their group's name (`sharpness`, `alignment`);
        // TrainOptions.Schedule is the learning-rate schedule, another knob.
        Assert.Empty(own.Intersect(Written(typeof(SharpnessOptions)).Concat(Written(typeof(AlignmentOptions))).Except(["Schedule"])));

        // Nor in run.json: no key is written twice (a flat copy would write its key beside the recorder's).
        var options = new TrainOptions { Recorder = new RecorderOptions { Alignment = new AlignmentOptions { Schedule = RecordSchedule.All } } };
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(options, RunManifest.Json));
        var keys = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(keys.Distinct().Count(), keys.Count);
        Assert.DoesNotContain("recorder", keys);
    }

    [Fact]
    public void The_run_json_keys_are_those_of_the_flat_options()
    {
        // Every key main's run.json options had (the fixture's checkpoint fingerprint), and no other.
        using var checkpoint = CheckpointFile.Read(Path.Combine(FixtureRun, "checkpoints", "step-000000002.ckpt"));
        var old = checkpoint.Header.Options;
        var options = old.Deserialize<TrainOptions>(RunManifest.Json)!;
        var now = OptionsFingerprint.Options(options);
        // Options added since (at their defaults, which an older run had without naming them): random_direction.
        string[] added = ["random_direction"];
        Assert.Equal(old.Select(p => p.Key).Order(StringComparer.Ordinal), now.Select(p => p.Key).Except(added).Order(StringComparer.Ordinal));
        Assert.All(added, k => Assert.Equal(OptionsFingerprint.Options(new TrainOptions())[k]!.ToJsonString(), now[k]!.ToJsonString()));
        Assert.Empty(OptionsFingerprint.Differences(old, now));
        // The alignment object as before: its knobs, not what the run derives (chunk size, seed).
        Assert.Equal(["schedule", "top_k", "batch_sizes", "batches", "eigen_iterations", "eigen_tolerance"], now["alignment"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Old_flat_options_read_into_the_nested_record()
    {
        var manifest = RunManifest.Read(Path.Combine(FixtureRun, "run.json"));
        var r = manifest.Options.Deserialize<TrainOptions>(RunManifest.Json)!.Recorder;
        Assert.Equal((ProbePreset.Paper, "every:2", 5, BatchNormPolicy.BatchStats), (r.Probes, r.Record.Text, r.Alphas.Count, r.BatchNorm));
        Assert.Equal([1], r.FloorLags);
        Assert.Null(r.FloorLagOrigin); // written before the grid: every pair, as that run measured
        Assert.Equal(("steps:0,2", 2, 2, 2), (r.Sharpness.Schedule.Text, r.Sharpness.TopK, r.Sharpness.TraceSamples, r.Sharpness.BatchSharpnessBatches));
        Assert.Equal(("every:2", 2, 2, 4), (r.Alignment.Schedule.Text, r.Alignment.TopK, r.Alignment.Batches, r.Alignment.EigenIterations));
        Assert.Equal([10, 20], r.Alignment.BatchSizes);
    }

    [Fact]
    public void An_old_flat_run_folder_resumes_from_its_checkpoint_to_the_same_bytes()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-flat-").FullName, "run");
        Copy(FixtureRun, path);
        var folder = new RunFolder(path);
        Assert.Equal(RunStatus.Failed, RunManifest.Read(folder.Manifest).Status);

        Assert.Equal(RunStatus.Completed, Trainer.Resume(folder).Status);
        // Steps 2 and 3 trained again from main's checkpoint: the rows and parameters main had the first time, bit for bit.
        string expected = Path.Combine(Fixture, "expected");
        Assert.Equal(File.ReadAllBytes(Path.Combine(expected, "steps.csv")), File.ReadAllBytes(folder.Steps));
        Assert.Equal(File.ReadAllBytes(Path.Combine(expected, "profiles.csv")), File.ReadAllBytes(folder.Profiles));
        Assert.Equal(File.ReadAllBytes(Path.Combine(expected, "final.dat")), File.ReadAllBytes(Path.Combine(folder.Checkpoints, "final.dat")));
        var (epochsThen, epochsNow) = (CsvTable.Read(Path.Combine(expected, "epochs.csv")), CsvTable.Read(folder.Epochs));
        Assert.Equal(epochsThen.Rows.Count, epochsNow.Rows.Count);
        foreach (string column in epochsThen.Columns.Where(c => c != "wall_s"))
            Assert.Equal(epochsThen.Numbers(column), epochsNow.Numbers(column));
        // run.json keeps the options' keys and values.
        var before = RunManifest.Read(Path.Combine(FixtureRun, "run.json")).Options;
        var after = RunManifest.Read(folder.Manifest).Options;
        Assert.All(before, p => Assert.True(JsonNode.DeepEquals(p.Value, after[p.Key]), $"{p.Key}: {p.Value?.ToJsonString()} then, {after[p.Key]?.ToJsonString()} now"));
    }

    [Fact]
    public void A_library_run_writes_the_recorder_keys_a_trainer_run_writes()
    {
        var options = new RecorderOptions
        {
            Probes = ProbePreset.Cheap, Record = RecordSchedule.Parse("every:3"), FloorLags = [2], BatchChunkSize = 8,
            Sharpness = new SharpnessOptions { TopK = 2, EigenIterations = 9 },
        };
        string folder = Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-library-").FullName, "run");
        using (var model = nn.Sequential(("fc", nn.Linear(4, 2))))
        using (new WalkRecorder(model, options, folder)) { }
        var library = RunManifest.Read(Path.Combine(folder, "run.json")).Options;
        var trainer = (JsonObject)JsonSerializer.SerializeToNode(new TrainOptions { Recorder = options }, RunManifest.Json)!;
        var keys = RecorderOptionsJson.Write(options, RunManifest.Json).Select(p => p.Key).ToList();
        Assert.Contains("top_k", keys);
        Assert.All(keys, k => Assert.True(JsonNode.DeepEquals(trainer[k], library[k]), $"{k}: trainer {trainer[k]?.ToJsonString()}, library {library[k]?.ToJsonString()}"));
        Assert.Equal(8, library["chunk_size"]!.GetValue<int>()); // the library user's chunk size, which a trainer run derives
    }

    [Fact]
    public void A_schedule_in_run_json_that_does_not_parse_is_an_error_naming_it()
    {
        var json = (JsonObject)JsonSerializer.SerializeToNode(new TrainOptions(), RunManifest.Json)!;
        json["sharpness"] = "often";
        var e = Assert.Throws<JsonException>(() => json.Deserialize<TrainOptions>(RunManifest.Json));
        Assert.Contains("record schedule 'often'", e.Message);
    }

    /// <summary>An option added after a checkpoint was written is absent from it: at its default the checkpoint still
    /// belongs (nothing it measured changed); set to anything else it is named as a difference.</summary>
    [Fact]
    public void An_option_added_after_a_checkpoint_belongs_at_its_default_and_differs_when_set()
    {
        var run = OptionsFingerprint.Options(new TrainOptions());
        var old = (JsonObject)run.DeepClone();
        old.Remove("random_direction");
        Assert.Empty(OptionsFingerprint.Differences(old, run));
        var set = OptionsFingerprint.Options(new TrainOptions { Recorder = new RecorderOptions { RandomDirection = true } });
        Assert.Equal(["--random-direction: checkpoint null, run true"], OptionsFingerprint.Differences(old, set));
    }

    [Fact]
    public void Schedules_are_equal_when_their_texts_are()
    {
        Assert.Equal(RecordSchedule.Parse("every:5"), RecordSchedule.Parse("every:5"));
        Assert.NotEqual(RecordSchedule.Parse("every:5"), RecordSchedule.Parse("every:6"));
        var a = new TrainOptions { Recorder = new RecorderOptions { Record = RecordSchedule.Parse("all") } };
        Assert.Equal(a.Recorder with { }, (a with { Recorder = a.Recorder with { Record = RecordSchedule.Parse("all") } }).Recorder);
    }

    /// <summary>The defaults' fingerprint in the key order main wrote (pinned hash) has the same keys and values now:
    /// a checkpoint written before the nesting belongs to the same options now.</summary>
    [Fact]
    public void The_defaults_fingerprint_of_the_flat_options_still_matches()
    {
        var now = OptionsFingerprint.Options(new TrainOptions());
        var then = new JsonObject(FlatOrder.Select(k => KeyValuePair.Create(k, now[k]?.DeepClone())));
        Assert.Equal(now.Count - 1, then.Count); // random_direction came later: absent then, at its default now
        Assert.Equal(PinnedDefaultsHash, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(then.ToJsonString()))));
        Assert.Equal(PinnedDefaultsHash, OptionsFingerprint.Hash(then));
        Assert.Empty(OptionsFingerprint.Differences(then, now));
    }

    /// <summary>The fingerprint of `new TrainOptions()` since Optimizer, FloorView and Compat were strings (before the nesting too).</summary>
    private const string PinnedDefaultsHash = "cd7a8e0e57418ff8a006136636a9bbf06c6ff58ae2197884bf0657b12896c666";

    /// <summary>The key order of the flat options (TrainOptions' property order before the nesting), without the keys the fingerprint leaves out.</summary>
    private static readonly string[] FlatOrder =
    [
        "model", "hidden", "model_batch_norm", "depth", "dataset", "validation_size", "train_size", "augment", "learning_rate",
        "batch_size", "chunk_size", "epochs", "steps", "momentum", "nesterov", "weight_decay", "schedule", "sum_chunk_gradients",
        "isotropic_noise", "seed", "probes", "record", "alphas", "adaptive_alphas", "probe_size", "probe_size_auto", "probe_error",
        "batch_norm", "compat", "floor_lags", "optimizer", "height_fraction", "floor_view", "sharpness", "hvp", "eigen", "top_k",
        "eigen_iterations", "eigen_tolerance", "trace_samples", "batch_sharpness_batches", "evaluation_chunk_size", "threads", "device",
    ];

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (string dir in Directory.GetDirectories(from)) Copy(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
