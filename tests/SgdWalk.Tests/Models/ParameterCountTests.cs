using SgdWalk.Models;

namespace SgdWalk.Tests.Models;

/// <summary>Parameter totals computed by hand from each architecture, layer by layer.</summary>
public class ParameterCountTests
{
    private static long Conv(long inC, long outC, long k, bool bias = true) => inC * outC * k * k + (bias ? outC : 0);
    private static long Bn(long c) => 2 * c;
    private static long Linear(long inF, long outF) => inF * outF + outF;

    private static long Count(string name, ModelSpec spec)
    {
        using var model = ModelZoo.Create(name, spec);
        return model.parameters().Sum(p => p.numel());
    }

    [Fact]
    public void Mlp_784_500_350_10_with_batch_norm()
    {
        Assert.Equal(784 * 500 + 500 + 2 * 500 + 500 * 350 + 350 + 2 * 350 + 350 * 10 + 10, Count("mlp", ModelCases.Mnist));
        Assert.Equal(573_060, Count("mlp", ModelCases.Mnist));
        Assert.Equal(573_060 - 2 * 500 - 2 * 350, Count("mlp", ModelCases.Mnist with { BatchNorm = false }));
    }

    [Fact]
    public void Small_cnn_on_mnist_and_cifar()
    {
        long Expected(long c, long side) =>
            Conv(c, 32, 3) + Bn(32) + Conv(32, 64, 3) + Bn(64) + Linear(64 * (side / 4) * (side / 4), 128) + Linear(128, 10);
        Assert.Equal(Expected(1, 28), Count("small-cnn", ModelCases.Mnist));  // flatten 64·7·7
        Assert.Equal(Expected(3, 32), Count("small-cnn", ModelCases.Cifar));  // flatten 64·8·8
    }

    [Fact]
    public void Vgg11_configuration_a_with_three_layer_classifier()
    {
        long features =
            Conv(3, 64, 3) + Bn(64) + Conv(64, 128, 3) + Bn(128) +
            Conv(128, 256, 3) + Bn(256) + Conv(256, 256, 3) + Bn(256) +
            Conv(256, 512, 3) + Bn(512) + 3 * (Conv(512, 512, 3) + Bn(512));
        long classifier = Linear(512, 512) + Linear(512, 512) + Linear(512, 10);
        Assert.Equal(features + classifier, Count("vgg11", ModelCases.Cifar));
        Assert.Equal(9_756_426, features + classifier); // ≈ 9.76M, the usual CIFAR VGG-11-BN size
    }

    /// <summary>Stem, 3 stages of n pre-activation blocks (two BNs, two convs, 1x1 shortcut when the shape changes), BN, FC.</summary>
    private static long PreActResNet(int depth, long channels, long classes)
    {
        int n = (depth - 2) / 6;
        long total = Conv(channels, 16, 3, bias: false);
        long inC = 16;
        foreach (long outC in new long[] { 16, 32, 64 })
        {
            for (int b = 0; b < n; b++)
            {
                total += Bn(inC) + Conv(inC, outC, 3, bias: false) + Bn(outC) + Conv(outC, outC, 3, bias: false);
                if (inC != outC) total += Conv(inC, outC, 1, bias: false);
                inC = outC;
            }
        }
        return total + Bn(64) + Linear(64, classes);
    }

    [Fact]
    public void Resnet20_and_56_match_the_hand_count()
    {
        Assert.Equal(272_282, PreActResNet(20, 3, 10)); // the well-known ≈ 0.27M
        Assert.Equal(PreActResNet(20, 3, 10), Count("resnet20", ModelCases.Cifar));
        Assert.Equal(PreActResNet(20, 1, 10), Count("resnet20", ModelCases.Mnist));
        Assert.Equal(PreActResNet(56, 3, 10), Count("resnet56", ModelCases.Cifar));
        Assert.Equal(PreActResNet(32, 3, 100), Count("resnet", ModelCases.Cifar with { Classes = 100, Depth = 32 }));
    }
}
