using SgdWalk.Landscape;
using SgdWalk.Models;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Training;

/// <summary>Full-batch GD by accumulation (the authors' summed-chunk quirk) and GD + isotropic noise.</summary>
public class GradientDescentTests
{
    private static readonly TrainOptions FullBatch = new()
    {
        Dataset = "synthetic", Hidden = [16], TrainSize = 400, BatchSize = 400, ChunkSize = 100, WeightDecay = 0,
        Steps = 1, LearningRate = 0.1, Recorder = new() { Probes = ProbePreset.Cheap }, Threads = 1, ProbeSize = 100, Seed = 5,
    };

    private static CsvTable Steps(TrainOptions options)
    {
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        Assert.Equal(RunStatus.Completed, Trainer.Run(options, folder).Status);
        return CsvTable.Read(folder.Steps);
    }

    [Fact]
    public void Summing_chunk_means_multiplies_the_step_by_the_number_of_chunks()
    {
        var mean = Steps(FullBatch);
        var summed = Steps(FullBatch with { SumChunkGradients = true });
        // 400 samples in chunks of 100: the authors' accumulation takes a 4x step on the mean gradient.
        Assert.Equal(4 * mean.Number(0, "step_norm"), summed.Number(0, "step_norm"), 5);
        Assert.Equal(mean.Number(0, "train_loss"), summed.Number(0, "train_loss"), 12);
        Assert.Equal(mean.Number(0, "grad_norm"), summed.Number(0, "grad_norm") / 4, 5);
    }

    [Fact]
    public void Max_coordinate_variance_matches_stacked_chunk_gradients()
    {
        manual_seed(3);
        using var model = ModelZoo.Create("mlp", new ModelSpec(1, 2, 2, 3, [5], true, null));
        model.to(float64);
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        using var generator = new Generator(11);
        var x = randn([60, 1, 2, 2], dtype: float64, generator: generator);
        var y = randint(0, 3, [60], generator: generator);
        var chunks = Enumerable.Range(0, 4).Select(c => (x.narrow(0, c * 15, 15), y.narrow(0, c * 15, 15))).ToList();

        double estimate = GradientNoise.MaxCoordinateVariance(model, parameters, chunks);

        // Oracle: each chunk's gradient as a row, population variance down the rows, largest entry.
        var rows = chunks.Select(c =>
        {
            foreach (var p in parameters) p.grad?.zero_();
            model.train();
            nn.functional.cross_entropy(model.call(c.Item1), c.Item2).backward();
            return cat(parameters.Select(p => p.grad!.flatten()).ToList()).clone();
        }).ToList();
        double oracle = stack(rows).var(0, unbiased: false).max().item<double>();
        Assert.Equal(oracle, estimate, 10);
        Assert.True(oracle > 0);
    }

    [Fact]
    public void Isotropic_noise_is_scaled_recorded_seeded_and_moves_the_step()
    {
        var options = FullBatch with { Steps = 3, IsotropicNoise = 0.02 };
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        Trainer.Run(options, folder);
        var manifest = RunManifest.Read(folder.Manifest);
        double variance = (double)manifest.Options["max_gradient_variance"]!, std = (double)manifest.Options["isotropic_noise_std"]!;
        Assert.True(variance > 0);
        Assert.Equal(0.02 * variance, std, 15);

        var plain = Steps(FullBatch with { Steps = 3 });
        var noisy = CsvTable.Read(folder.Steps);
        var again = Steps(options);
        // The gradient g_t at step 0 is the same (noise enters the update, not the measured gradient) ...
        Assert.Equal(plain.Number(0, "grad_norm"), noisy.Number(0, "grad_norm"));
        // ... the update differs, and the noise stream is seeded: the same run twice gives the same bits.
        Assert.NotEqual(plain.Number(0, "step_norm"), noisy.Number(0, "step_norm"));
        Assert.Equal(noisy.Numbers("step_norm"), again.Numbers("step_norm"));
    }
}
