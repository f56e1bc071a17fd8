using SgdWalk.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Models;

/// <summary>The authors' init: conv weights N(0, 2/(out·k·k)), conv biases 0, BN γ = 1 and β = 0; Linear left at default.</summary>
public class InitialisationTests
{
    /// <summary>
    /// Checks sample mean and standard deviation against N(0, σ²) at 6 standard errors:
    /// SE(mean) = σ/√n and, for a normal sample, SE(std) ≈ σ/√(2n). A wrong fan (in vs out) changes σ by
    /// a factor of 2 or more, far outside that band even for the smallest stem conv (n = 432).
    /// </summary>
    private static void AssertHeFanOutNormal(string where, Tensor weight)
    {
        long[] s = weight.shape; // [out, in, kh, kw]
        double sigma = Math.Sqrt(2.0 / (s[0] * s[2] * s[3]));
        double n = weight.numel();
        using var w = weight.detach().to(ScalarType.Float64);
        double mean = w.mean().item<double>(), std = w.std().item<double>();
        Assert.True(Math.Abs(mean) < 6 * sigma / Math.Sqrt(n), $"{where}: mean {mean} for σ {sigma}, n {n}");
        Assert.True(Math.Abs(std / sigma - 1) < 6 / Math.Sqrt(2 * n), $"{where}: std {std}, expected {sigma}, n {n}");
    }

    [Fact]
    public void Vgg11_wide_conv_weights_have_he_fan_out_statistics()
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create("vgg11", ModelCases.Cifar);
        var weight = model.named_parameters().Single(p => p.name == "features.conv8.weight").parameter;
        Assert.Equal([512L, 512, 3, 3], weight.shape);
        // n = 2.36M samples: σ = 0.0208 is pinned to ±0.28 % and the mean to ±8e-5.
        AssertHeFanOutNormal("features.conv8", weight);
    }

    [Theory]
    [MemberData(nameof(ModelCases.Names), MemberType = typeof(ModelCases))]
    public void Every_conv_and_batch_norm_starts_as_the_authors_did(string name)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(name, ModelCases.For(name, ModelCases.Cifar));
        int convs = 0, norms = 0, linears = 0;
        foreach (var (path, module) in model.named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    convs++;
                    AssertHeFanOutNormal($"{name}/{path}", conv.weight!);
                    if (conv.bias is { } bias) Assert.Equal(0, bias.abs().max().item<float>());
                    break;
                case BatchNorm:
                    norms++;
                    var p = module.named_parameters().ToDictionary(x => x.name, x => x.parameter);
                    Assert.True(p["weight"].eq(1).all().item<bool>(), $"{name}/{path}: BN weight not 1");
                    Assert.True(p["bias"].eq(0).all().item<bool>(), $"{name}/{path}: BN bias not 0");
                    break;
                case Linear linear:
                    // PyTorch's default: weight and bias ~ U(−1/√fan_in, 1/√fan_in), not zero and not He-normal.
                    linears++;
                    double bound = 1 / Math.Sqrt(linear.weight!.shape[1]);
                    Assert.True(linear.weight.abs().max().item<float>() <= bound, $"{name}/{path}: weight outside default bound");
                    Assert.True(linear.bias!.abs().max().item<float>() is > 0 and var b && b <= bound, $"{name}/{path}: bias not default");
                    break;
            }
        }
        Assert.True(linears > 0);
        Assert.True(norms > 0);
        Assert.Equal(name == "mlp", convs == 0);
    }
}
