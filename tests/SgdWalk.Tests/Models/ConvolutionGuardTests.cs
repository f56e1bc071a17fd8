using SgdWalk.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Models;

/// <summary>
/// libtorch 2.10's oneDNN float32 convolution gives wrong input gradients with fewer than 16 output channels and a batch
/// above one (on this machine's AVX-512 CPU). The oracle is float64, which takes libtorch's own kernels. Switching oneDNN
/// on again here is safe: this assembly runs its tests one at a time.
/// </summary>
public class ConvolutionGuardTests
{
    /// <summary>‖∂L/∂x in float32 − in float64‖ / ‖in float64‖ for a 3x3 convolution (padding 1) on 8x8 inputs.</summary>
    private static double InputGradientError(long inChannels, long outChannels, long batch)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var weight = randn([outChannels, inChannels, 3, 3], ScalarType.Float64, generator: generator) * 0.3;
        var bias = randn([outChannels], ScalarType.Float64, generator: generator);
        var x = randn([batch, inChannels, 8, 8], ScalarType.Float64, generator: generator);
        var upstream = randn([batch, outChannels, 8, 8], ScalarType.Float64, generator: generator);
        Tensor Gradient(ScalarType type)
        {
            var input = x.to(type).requires_grad_(true);
            var output = nn.functional.conv2d(input, weight.to(type), bias.to(type), padding: [1, 1]);
            return autograd.grad([output], [input], [upstream.to(type)])[0].to(ScalarType.Float64);
        }
        var reference = Gradient(ScalarType.Float64);
        var error = (Gradient(ScalarType.Float32) - reference).norm() / reference.norm();
        return error.item<double>();
    }

    [Fact]
    public void OneDnn_gets_narrow_convolution_gradients_wrong_and_the_fix_gets_them_right()
    {
        try
        {
            ConvolutionGuard.SetMkldnn(true);
            // The bug: 1→8 and 3→15 channels, batches of 2 and more (a NaN counts as wrong too).
            Assert.False(InputGradientError(1, 8, 2) < 1e-2);
            Assert.False(InputGradientError(3, 15, 8) < 1e-2);
            // Its edges: one sample, or 16 output channels, are right.
            Assert.True(InputGradientError(1, 8, 1) < 1e-5);
            Assert.True(InputGradientError(8, 16, 8) < 1e-5);
        }
        finally
        {
            Assert.True(ConvolutionGuard.ApplyFix());
            ConvolutionGuard.SetMkldnn(false);
        }
        Assert.False(ConvolutionGuard.MkldnnEnabled());
        foreach (var (i, o) in new[] { (1L, 8L), (3L, 15L), (16L, 4L), (8L, 16L) })
            Assert.True(InputGradientError(i, o, 8) < 1e-5, $"{i}→{o}: {InputGradientError(i, o, 8)}");
    }

    [Fact]
    public void The_guard_refuses_a_narrow_small_cnn_only_while_the_bug_is_live()
    {
        var spec = new ModelSpec(1, 8, 8, 4, [8, 8], true, null);
        try
        {
            ConvolutionGuard.SetMkldnn(true);
            var problem = ModelCheck.ConvolutionProblem("small-cnn", spec);
            Assert.NotNull(problem);
            Assert.Contains("float32 gradient differs from float64", problem);
        }
        finally
        {
            ConvolutionGuard.SetMkldnn(false);
        }
        Assert.Null(ModelCheck.ConvolutionProblem("small-cnn", spec));
        // With the fix, float32 and float64 agree to float32 rounding on the whole network's gradient.
        manual_seed(3);
        using var model = ModelZoo.Create("small-cnn", spec);
        manual_seed(3);
        using var model64 = ModelZoo.Create("small-cnn", spec);
        model64.to(ScalarType.Float64);
        Assert.True(ConvolutionGuard.GradientError(model, model64, spec) < 1e-5);
    }

    [Fact]
    public void Every_model_built_by_the_zoo_runs_with_oneDnn_convolutions_off()
    {
        using var model = ModelZoo.Create("small-cnn", new ModelSpec(1, 8, 8, 4, [4], true, null));
        Assert.False(ConvolutionGuard.MkldnnEnabled());
    }
}
