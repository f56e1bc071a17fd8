using SgdWalk.Data;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Training;

/// <summary>Every random stream of a run has a seed of its own, and the streams that did not collide kept theirs.</summary>
public class SeedStreamsTests
{
    public static TheoryData<long> Seeds => [0, 1, 2, 7, 1111, -1, -8, long.MaxValue, long.MaxValue - 3, long.MinValue, 4_000_000_000L];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void No_two_streams_of_a_run_share_a_generator_seed(long seed)
    {
        var streams = new SeedStreams(seed).All;
        // Generators take the seed as an unsigned 64-bit number, so compare what they receive (wrapping included).
        var received = streams.Values.Select(s => unchecked((ulong)s)).ToList();
        Assert.Equal(received.Count, received.Distinct().Count());
    }

    [Fact]
    public void No_seed_within_a_thousand_of_zero_gives_a_run_two_equal_streams()
    {
        for (long seed = -1000; seed <= 1000; seed++)
        {
            var values = new SeedStreams(seed).All.Values;
            Assert.Equal(values.Count(), values.Distinct().Count());
        }
    }

    [Fact]
    public void Every_generator_the_run_seeds_by_offset_is_listed()
    {
        var streams = new SeedStreams(1111);
        var properties = typeof(SeedStreams).GetProperties()
            .Where(p => p.PropertyType == typeof(long) && p.Name is not nameof(SeedStreams.Seed) and not nameof(SeedStreams.SyntheticData))
            .Select(p => (long)p.GetValue(streams)!);
        Assert.Equal(properties.Order(), streams.All.Values.Order());
    }

    [Fact]
    public void The_streams_that_did_not_collide_keep_their_seeds_and_the_noise_leaves_the_curvature_stream()
    {
        var s = new SeedStreams(1111);
        Assert.Equal([1111L, 1112, 1113, 1114, 1115, 1116, 1117],
            new[] { s.Initialisation, s.Order, s.Augmentation, s.ProbeSubset, s.Sharpness, s.BatchSharpness, s.Pilot });
        Assert.Equal(1111, s.SyntheticData);
        Assert.Equal(1118, s.Noise);
        Assert.Equal((1119L, 1120L, 1121L), (s.Alignment, s.RandomDirection, s.EndCurvature));
        Assert.DoesNotContain(s.Noise, s.All.Where(p => p.Key != "noise").Select(p => p.Value));
    }

    [Fact]
    public void The_recorder_gets_the_curvature_streams()
    {
        var streams = new SeedStreams(20);
        var curvature = new TrainOptions { Seed = 20 }.ToRecorderOptions().Sharpness;
        Assert.Equal(streams.Sharpness, curvature.Seed);
        Assert.Equal(streams.BatchSharpness, curvature.BatchSharpnessSeed);
        // `--end-curvature` has a stream of its own: a run that also measures per-step sharpness does not repeat its draws.
        Assert.Equal(streams.EndCurvature, curvature.EndCurvatureSeed);
        Assert.NotEqual(curvature.Seed, curvature.EndCurvatureSeed);
    }

    /// <summary>
    /// One step of full-batch GD + isotropic noise: θ_1 − θ_1(plain) = −η·std·ξ, so ξ can be read off the two runs and
    /// compared with the draws of each stream: it is the noise stream's, not the curvature probes' (they used to share one).
    /// </summary>
    [Fact]
    public void Isotropic_noise_draws_from_its_own_stream()
    {
        var plain = new TrainOptions
        {
            Dataset = "synthetic", Hidden = [16], TrainSize = 400, BatchSize = 400, ChunkSize = 100, WeightDecay = 0, Steps = 1, LearningRate = 0.1,
            Recorder = new() { Probes = ProbePreset.None }, Threads = 1, ProbeSize = 100, Seed = 9,
        };
        // Four chunks of 100: the noise scale is the spread of their gradients at θ_0.
        var noisy = plain with { IsotropicNoise = 0.02 };
        var plainFolder = Train(plain);
        var noisyFolder = Train(noisy);
        double std = (double)RunManifest.Read(noisyFolder.Manifest).Options["isotropic_noise_std"]!;

        using var data = RunSetup.LoadData(plain);
        using var model = RunSetup.BuildModel(plain, data.Train);
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        Tensor Final(RunFolder folder)
        {
            model.load(Path.Combine(folder.Checkpoints, "final.dat"));
            return cat(parameters.Select(p => p.detach().flatten().to(float64)).ToList());
        }
        using var noise = Final(plainFolder).sub(Final(noisyFolder)).div(plain.LearningRate * std);

        double Correlation(long seed)
        {
            using var generator = new Generator((ulong)seed);
            using var draws = cat(parameters.Select(p => randn(p.shape, generator: generator).flatten().to(float64)).ToList());
            return (noise.dot(draws) / (noise.norm() * draws.norm())).item<double>();
        }
        var streams = new SeedStreams(plain.Seed);
        Assert.True(Correlation(streams.Noise) > 0.99, $"correlation with the noise stream {Correlation(streams.Noise)}");
        Assert.InRange(Correlation(streams.Sharpness), -0.2, 0.2);
    }

    private static RunFolder Train(TrainOptions options)
    {
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        Assert.Equal(RunStatus.Completed, Trainer.Run(options, folder).Status);
        return folder;
    }
}
