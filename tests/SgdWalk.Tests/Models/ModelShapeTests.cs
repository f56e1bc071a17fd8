using CsCheck;
using SgdWalk.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Models;

public class ModelShapeTests
{
    [Theory]
    [MemberData(nameof(ModelCases.NamesAndShapes), MemberType = typeof(ModelCases))]
    public void Maps_a_float32_batch_to_logits(string name, string shape)
    {
        using var scope = NewDisposeScope();
        var spec = ModelCases.For(name, ModelCases.Shape(shape));
        using var model = ModelZoo.Create(name, spec);
        var logits = model.forward(randn(4, spec.Channels, spec.Height, spec.Width));
        Assert.Equal([4L, 10L], logits.shape);
        Assert.Equal(ScalarType.Float32, logits.dtype);
        Assert.True(logits.isfinite().all().item<bool>());
    }

    [Theory]
    [MemberData(nameof(ModelCases.Names), MemberType = typeof(ModelCases))]
    public void Runs_in_float64_with_the_smallest_train_mode_batch(string name)
    {
        using var scope = NewDisposeScope();
        var spec = ModelCases.For(name, ModelCases.Cifar with { Classes = 7 });
        using var model = ModelZoo.Create(name, spec);
        model.to(ScalarType.Float64);
        Assert.True(model.training); // BatchNorm uses batch statistics, so N = 2 is the minimum
        var logits = model.forward(randn(2, 3, 32, 32, dtype: ScalarType.Float64));
        Assert.Equal([2L, 7L], logits.shape);
        Assert.Equal(ScalarType.Float64, logits.dtype);
        Assert.True(logits.isfinite().all().item<bool>());
    }

    [Fact]
    public void Mlp_and_small_cnn_accept_any_valid_widths_and_input_size()
    {
        var gen = Gen.Select(Gen.Int[1, 3], Gen.Int[4, 20], Gen.Int[4, 20], Gen.Int[2, 12],
            Gen.Int[1, 16].Array[1, 3], Gen.Bool, Gen.Bool);
        gen.Sample(t =>
        {
            var (c, h, w, classes, widths, batchNorm, cnn) = t;
            using var scope = NewDisposeScope();
            var spec = new ModelSpec(c, h, w, classes, widths.Take(cnn ? 2 : 3).ToArray(), batchNorm);
            using var model = ModelZoo.Create(cnn ? "small-cnn" : "mlp", spec);
            var logits = model.forward(randn(3, c, h, w));
            return logits.shape.SequenceEqual([3L, classes]);
        }, iter: 40);
    }

    [Fact]
    public void Resnet_of_any_6n_plus_2_depth_handles_odd_input_sizes()
    {
        Gen.Select(Gen.Int[1, 2], Gen.Int[4, 13]).Sample((n, size) =>
        {
            using var scope = NewDisposeScope();
            using var model = ModelZoo.Create("resnet", new ModelSpec(2, size, size + 1, 3, Depth: 6 * n + 2));
            return model.forward(randn(2, 2, size, size + 1)).shape.SequenceEqual([2L, 3L]);
        }, iter: 10);
    }
}
