using SgdWalk.Models;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Models;

/// <summary>Seeding sets torch's global generator, so nothing else may draw while these tests run.</summary>
[CollectionDefinition(nameof(GlobalGeneratorCollection), DisableParallelization = true)]
public sealed class GlobalGeneratorCollection;

[Collection(nameof(GlobalGeneratorCollection))]
public class DeterminismTests
{
    private static Tensor[] Build(string name, long seed)
    {
        manual_seed(seed);
        using var model = ModelZoo.Create(name, ModelCases.For(name, ModelCases.Cifar));
        return model.parameters().Select(p => p.detach().clone()).ToArray();
    }

    private static int[] Bits(Tensor t) => t.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

    [Theory]
    [MemberData(nameof(ModelCases.Names), MemberType = typeof(ModelCases))]
    public void Same_seed_gives_bit_identical_parameters_and_another_seed_does_not(string name)
    {
        using var scope = NewDisposeScope();
        var a = Build(name, 1111);
        var b = Build(name, 1111);
        var c = Build(name, 1112);

        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            // Compare raw bits: value equality would let 0.0 == -0.0 slip through.
            Assert.Equal(Bits(a[i]), Bits(b[i]));
        }
        // Every randomly initialised tensor (weights; BN and zeroed biases are constant) must change with the seed.
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i].std().item<float>() > 0)
                Assert.False(a[i].eq(c[i]).all().item<bool>(), $"{name}: parameter {i} ignores the seed");
        }
    }
}
