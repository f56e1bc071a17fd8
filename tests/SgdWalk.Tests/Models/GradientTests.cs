using System.Text.RegularExpressions;
using SgdWalk.Models;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Models;

public partial class GradientTests
{
    /// <summary>A layer's bias is cancelled by the BatchNorm that follows it ("…convK.bias" or "…fcK.bias" next to "…bnK").</summary>
    [GeneratedRegex(@"^(?<prefix>.*)\.(conv|fc)(?<k>\d+)\.bias$")]
    private static partial Regex LayerBias();

    [Theory]
    [MemberData(nameof(ModelCases.NamesAndShapes), MemberType = typeof(ModelCases))]
    public void One_backward_pass_reaches_every_parameter(string name, string shape)
    {
        using var scope = NewDisposeScope();
        var spec = ModelCases.For(name, ModelCases.Shape(shape));
        using var model = ModelZoo.Create(name, spec);
        var x = randn(4, spec.Channels, spec.Height, spec.Width);
        var y = tensor(new long[] { 0, 3, 7, 9 });
        nn.functional.cross_entropy(model.forward(x), y).backward();

        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        int cancelled = 0;
        foreach (var (key, p) in parameters)
        {
            var g = p.grad;
            Assert.NotNull(g);
            Assert.True(g.isfinite().all().item<bool>(), $"{name}: {key} has a non-finite gradient");
            double largest = g.abs().max().item<float>();
            var m = LayerBias().Match(key);
            if (m.Success && parameters.ContainsKey($"{m.Groups["prefix"].Value}.bn{m.Groups["k"].Value}.bias"))
            {
                // BatchNorm subtracts the batch mean, so a bias just before it has zero gradient up to rounding.
                cancelled++;
                double weightScale = parameters[key[..^"bias".Length] + "weight"].grad!.abs().max().item<float>();
                Assert.True(largest <= 1e-4 * weightScale, $"{name}: {key} gradient {largest} is not ~0 (weights {weightScale})");
            }
            else
            {
                Assert.True(largest > 0, $"{name}: {key} receives no gradient");
            }
        }
        // mlp: fc1, fc2; small-cnn: conv1, conv2; vgg11: conv1..conv8; the ResNets' convs have no bias.
        Assert.Equal(name switch { "mlp" or "small-cnn" => 2, "vgg11" => 8, _ => 0 }, cancelled);
    }
}
