using System.Text.Json;
using SgdWalk.Checkpoints;
using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Tests.Data;
using SgdWalk.Training;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Training;

/// <summary>The options' one definition: defaults and checks in the library, for the CLI and for a user's own loop alike.</summary>
public class OptionsValidationTests
{
    [Fact]
    public void Default_recorder_and_curvature_options_are_valid()
    {
        Assert.Empty(new RecorderOptions().Validate());
        Assert.Empty(new SharpnessOptions().Validate());
        Assert.Empty(new TrainOptions().ToRecorderOptions().Validate());
    }

    [Fact]
    public void Curvature_options_name_the_property_and_the_range()
    {
        var errors = new SharpnessOptions { TopK = 0, EigenTolerance = double.NaN, TraceSamples = 1, BatchSharpnessBatches = -1, EigenIterations = 5000 }.Validate();
        Assert.Contains("TopK must be at least 1 (got 0)", errors);
        Assert.Contains("EigenTolerance must be in (0, 1) (got NaN)", errors);
        Assert.Contains("TraceSamples must be 0 (no trace) or at least 2 (got 1)", errors);
        Assert.Contains("BatchSharpnessBatches must not be negative (got -1)", errors);
        Assert.Contains(errors, e => e.StartsWith("EigenIterations must be between TopK and 1000", StringComparison.Ordinal));
        Assert.Contains("TopK above 1 needs Eigen lanczos (power iteration finds one eigenvalue)",
            new SharpnessOptions { TopK = 3, Eigen = EigenMethod.Power }.Validate());
    }

    [Fact]
    public void Recorder_options_name_the_property_and_the_range()
    {
        var errors = new RecorderOptions
        {
            Alphas = [0, 1], AdaptiveTolerance = 2, BatchChunkSize = 0, FloorLags = [1, 1], FloorLagOrigin = -1, Probes = ProbePreset.None,
            Sharpness = new SharpnessOptions { Schedule = RecordSchedule.All },
        }.Validate();
        Assert.Contains(errors, e => e.StartsWith("Alphas must list at least three increasing numbers", StringComparison.Ordinal));
        Assert.Contains("AdaptiveTolerance needs 0 < TOL < 1 (got 2)", errors);
        Assert.Contains("BatchChunkSize must be at least 1 (got 0)", errors);
        Assert.Contains("FloorLags must not repeat a lag (got 1,1)", errors);
        Assert.Contains("FloorLagOrigin must be a step, 0 or more (got -1)", errors);
        Assert.Empty(new RecorderOptions { FloorLags = [10], FloorLagOrigin = 0 }.Validate());
        Assert.Contains(errors, e => e.StartsWith("Schedule needs Probes cheap or paper", StringComparison.Ordinal));
    }

    [Fact]
    public void The_recorder_refuses_invalid_options_before_writing_anything()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        using var model = nn.Sequential(("fc", nn.Linear(4, 2)));
        var options = new RecorderOptions { Sharpness = new SharpnessOptions { TopK = 0 } };
        var e = Assert.Throws<ArgumentException>(() => new WalkRecorder(model, options, folder));
        Assert.Contains("TopK must be at least 1 (got 0)", e.Message);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Train_options_spell_the_recorder_rules_with_command_line_names()
    {
        var errors = new TrainOptions
        {
            Recorder = new RecorderOptions
            {
                FloorLags = [2, 2],
                Probes = ProbePreset.None,
                Sharpness = new SharpnessOptions { TopK = 0, TraceSamples = 1, Schedule = RecordSchedule.All },
            },
        }.Validate();
        Assert.Contains("--top-k must be at least 1 (got 0)", errors);
        Assert.Contains("--floor-lags must not repeat a lag (got 2,2)", errors);
        Assert.Contains("--floor-lag-origin needs --floor-lags (it places their segments)",
            new TrainOptions { Recorder = new RecorderOptions { FloorLagOrigin = 100 } }.Validate());
        Assert.Contains("--trace-samples must be 0 (no trace) or at least 2 (got 1)", errors);
        Assert.Contains(errors, e => e.StartsWith("--sharpness needs --probes cheap or paper", StringComparison.Ordinal));
        Assert.Contains("--device must be cpu, cuda or cuda:N (got 'tpu')", new TrainOptions { Device = "tpu" }.Validate());
    }

    [Fact]
    public void The_one_mapping_to_the_recorder_carries_every_knob()
    {
        var o = new TrainOptions
        {
            Recorder = new RecorderOptions
            {
                Probes = ProbePreset.Cheap, Record = RecordSchedule.Parse("every:7"), Alphas = [0, 0.5, 1, 1.5], AdaptiveTolerance = 0.02,
                BatchNorm = BatchNormPolicy.Running, FloorLags = [3], FloorLagOrigin = 5,
                Sharpness = new SharpnessOptions
                {
                    Schedule = RecordSchedule.Parse("every:9"), Hvp = HvpMethod.FiniteDifference, Eigen = EigenMethod.Power, EigenIterations = 7,
                    EigenTolerance = 0.01, TraceSamples = 4, BatchSharpnessBatches = 2,
                },
            },
            BatchSize = 64, ChunkSize = 16, Seed = 10, Compat = CompatMode.None, WeightDecay = 0.3,
        };
        var r = o.ToRecorderOptions();
        Assert.Equal((ProbePreset.Cheap, "every:7", 4, 0.02, BatchNormPolicy.Running, 16, 0.0), (r.Probes, r.Record.Text, r.Alphas.Count,
            r.AdaptiveTolerance, r.BatchNorm, r.BatchChunkSize, r.CosineWeightDecay));
        Assert.Equal([3], r.FloorLags);
        Assert.Equal(5, r.FloorLagOrigin);
        var c = r.Sharpness;
        Assert.Equal(("every:9", HvpMethod.FiniteDifference, EigenMethod.Power, 1, 7, 0.01, 4, 2, 64, 14L),
            (c.Schedule.Text, c.Hvp, c.Eigen, c.TopK, c.EigenIterations, c.EigenTolerance, c.TraceSamples, c.BatchSharpnessBatches, c.BatchSize, c.Seed));
        Assert.Equal(0.3, (o with { Compat = CompatMode.Authors }).Resolve().ToRecorderOptions().CosineWeightDecay);
    }

    [Fact]
    public void Enum_options_keep_their_run_json_spelling_and_read_back()
    {
        var o = new TrainOptions { Optimizer = OptimizerKind.HeightSgd, FloorView = FloorSearchView.Probe, Compat = CompatMode.Authors };
        var json = JsonSerializer.SerializeToNode(o, RunManifest.Json)!;
        Assert.Equal("height-sgd", json["optimizer"]!.GetValue<string>());
        Assert.Equal("probe", json["floor_view"]!.GetValue<string>());
        Assert.Equal("authors", json["compat"]!.GetValue<string>());
        var back = json.Deserialize<TrainOptions>(RunManifest.Json)!;
        Assert.Equal((OptimizerKind.HeightSgd, FloorSearchView.Probe, CompatMode.Authors), (back.Optimizer, back.FloorView, back.Compat));
        var plain = JsonSerializer.SerializeToNode(new TrainOptions(), RunManifest.Json)!;
        Assert.Equal(("sgd", "batch", "none"), (plain["optimizer"]!.GetValue<string>(), plain["floor_view"]!.GetValue<string>(), plain["compat"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("step:1:-1", "GAMMA must be positive")]
    [InlineData("step:1:0", "GAMMA must be positive, or the rate would reach zero")]
    [InlineData("step:1:nan", "GAMMA must be a finite number (got 'nan')")]
    [InlineData("step::0.5", "the milestones must be epochs from 0")]
    [InlineData("cosine:-1", "MIN is a fraction of --lr and must not be negative")]
    [InlineData("cyclic:0.2:-0.1:2", "LOW and HIGH are fractions of --lr and must be positive")]
    [InlineData("cyclic:0.5:0.1:2", "LOW must not exceed HIGH")]
    [InlineData("cyclic:0.1:0.2:0", "PERIOD must be a positive number of epochs")]
    [InlineData("trapezoid:1:1:0", "START and END are fractions of --lr and must be positive")]
    [InlineData("trapezoid:-1:1", "WARMUP and DECAY must not be negative")]
    [InlineData("cosine:inf", "MIN must be a finite number")]
    public void Schedules_whose_rate_would_not_stay_positive_and_finite_are_refused(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => LearningRateSchedule.Parse(text, 0.1, 10));
        Assert.StartsWith($"--schedule '{text}': ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains(new TrainOptions { Schedule = text }.Validate(), m => m.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Batches_larger_than_the_training_split_are_refused_before_the_run()
    {
        var errors = RunCheck.Check(new TrainOptions { Dataset = "synthetic", BatchSize = 5000 });
        Assert.Contains("--batch-size 5000 is larger than the training split (2000 images); use at most 2000", errors);
        Assert.Contains(RunCheck.Check(new TrainOptions { Dataset = "synthetic", TrainSize = 50, BatchSize = 100 }),
            e => e.StartsWith("--batch-size 100 is larger than the training split (50 images, from --train-size)", StringComparison.Ordinal));
        Assert.Empty(RunCheck.Check(new TrainOptions { Dataset = "synthetic", BatchSize = 2000, Hidden = [8] }));
    }

    [Fact]
    public void Sizes_are_checked_against_the_files_headers_without_loading_them()
    {
        using var dir = new TempDirectory();
        SmallSets.WriteMnist(dir.Path, 20, 6, gzip: true);
        var shape = DataShape.Describe(new DataOptions("mnist", dir.Path))!;
        Assert.Equal((1, 3, 4, 20, 6), (shape.Channels, shape.Height, shape.Width, shape.Available, shape.Test));
        var errors = RunCheck.Check(new TrainOptions { Dataset = "mnist", DataDir = dir.Path, ValidationSize = 4, TrainSize = 100, BatchSize = 4, Hidden = [8] });
        Assert.Contains("--train-size 100 is more than the 16 training images of mnist (20 in the file minus 4 for --val-size)", errors);
        Assert.Contains(RunCheck.Check(new TrainOptions { Dataset = "mnist", DataDir = dir.Path, ValidationSize = 20 }),
            e => e.StartsWith("--val-size 20 must be smaller than the 20 images", StringComparison.Ordinal));
        Assert.Empty(RunCheck.Check(new TrainOptions { Dataset = "mnist", DataDir = dir.Path, ValidationSize = 4, BatchSize = 4, Hidden = [8] }));
    }

    [Theory]
    [InlineData("resnet", null, 7, "Depth must be 6n+2")]
    [InlineData("vgg11", null, null, "vgg11: needs 32x32 inputs")]
    [InlineData("small-cnn", "4,4,4,4,4", null, "5 max-pools need Height and Width of at least 32 (got 8x8)")]
    public void A_model_that_does_not_fit_the_data_is_refused_before_the_run(string model, string? hidden, int? depth, string expected)
    {
        var options = new TrainOptions { Dataset = "synthetic", Model = model, Hidden = hidden?.Split(',').Select(int.Parse).ToArray(), Depth = depth };
        var error = Assert.Single(RunCheck.Check(options));
        Assert.StartsWith($"--model {model} on synthetic: ", error);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("resnet", null, 2_000_000, null)]
    [InlineData("mlp", 100_000_000, null, null)]
    [InlineData("mlp", null, null, 100_000_000)]
    public void A_run_larger_than_the_machine_is_refused_from_the_architecture_alone(string model, int? width, int? depth, int? trainSize)
    {
        var options = new TrainOptions { Dataset = "synthetic", Model = model, Hidden = width is { } w ? [w] : null, Depth = depth, TrainSize = trainSize };
        var error = Assert.Single(RunCheck.Check(options, memoryBytes: 16L << 30));
        Assert.StartsWith("the run would need about ", error);
        Assert.Contains("more than this machine's 16.0 GB", error);
    }

    [Fact]
    public void The_memory_estimate_accepts_ordinary_runs_and_counts_parameters_exactly_for_the_mlp()
    {
        var spec = new SgdWalk.Models.ModelSpec(1, 28, 28, 10);
        using (var mlp = SgdWalk.Models.ModelZoo.Create("mlp", spec))
            Assert.Equal(mlp.parameters().Sum(p => p.numel()), SgdWalk.Models.ModelCheck.Parameters("mlp", spec));
        var cifar = new SgdWalk.Models.ModelSpec(3, 32, 32, 10, Depth: 56);
        using (var resnet = SgdWalk.Models.ModelZoo.Create("resnet", cifar))
            Assert.Equal(resnet.parameters().Sum(p => p.numel()), SgdWalk.Models.ModelCheck.Parameters("resnet", cifar), 0.02 * resnet.parameters().Sum(p => p.numel()));
        Assert.Empty(RunCheck.Check(new TrainOptions { Dataset = "synthetic", Model = "resnet20" }, memoryBytes: 2L << 30));
    }

    [Fact]
    public void A_cuda_device_is_refused_on_a_build_without_cuda()
    {
        Assert.False(cuda.is_available());
        Assert.Contains(RunCheck.Check(new TrainOptions { Dataset = "synthetic", Device = "cuda:0" }), e => e.StartsWith("--device cuda:0: this " +
            "build of libtorch has no CUDA support", StringComparison.Ordinal));
    }
}

/// <summary>Alone, as <see cref="GlobalRngTests"/>: another test drawing from the global generator meanwhile would break it.</summary>
[Collection(nameof(GlobalRngCollection))]
public class ModelTrialRngTests
{
    [Fact]
    public void The_model_trial_leaves_the_global_generator_alone()
    {
        manual_seed(77);
        using var expected = randn(8);
        manual_seed(77);
        Assert.Null(SgdWalk.Models.ModelCheck.Trial("mlp", new SgdWalk.Models.ModelSpec(1, 8, 8, 4, [16])));
        using var actual = randn(8);
        Assert.True(TensorAssert.Same(expected, actual));
    }
}
