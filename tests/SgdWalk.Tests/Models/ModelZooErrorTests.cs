using CsCheck;
using SgdWalk.Models;

namespace SgdWalk.Tests.Models;

public class ModelZooErrorTests
{
    [Fact]
    public void Unknown_name_lists_every_known_model()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.Create("lenet", ModelCases.Mnist));
        Assert.StartsWith("unknown model 'lenet'; known models: mlp, small-cnn, vgg11, resnet20, resnet56, resnet, valley, valley-flat", e.Message);
        Assert.Equal(["mlp", "small-cnn", "vgg11", "resnet20", "resnet56", "resnet", "valley", "valley-flat"], ModelZoo.Known.Select(m => m.Name));
    }

    [Fact]
    public void Depth_that_is_not_6n_plus_2_is_rejected_with_the_rule()
    {
        Gen.Int[-5, 200].Where(d => d < 8 || (d - 2) % 6 != 0).Sample(depth =>
        {
            var e = Assert.Throws<ArgumentException>(
                () => ModelZoo.Create("resnet", ModelCases.Cifar with { Depth = depth }));
            Assert.Contains("6n+2", e.Message);
            Assert.Contains($"got {depth}", e.Message);
        }, iter: 50);
    }

    public static TheoryData<string, ModelSpec, string> InvalidSpecs() => new()
    {
        { "resnet", ModelCases.Cifar, "Depth is required" },
        { "resnet20", ModelCases.Cifar with { Depth = 56 }, "conflicts" },
        { "vgg11", ModelCases.Mnist, "needs 32x32" },
        { "vgg11", ModelCases.Cifar with { Height = 64 }, "needs 32x32" },
        { "vgg11", ModelCases.Cifar with { BatchNorm = false }, "always uses BatchNorm" },
        { "vgg11", ModelCases.Cifar with { Hidden = [10] }, "Hidden applies only" },
        { "mlp", ModelCases.Mnist with { Hidden = [] }, "at least one width" },
        { "mlp", ModelCases.Mnist with { Hidden = [500, 0] }, "must be positive (got 500, 0)" },
        { "small-cnn", ModelCases.Mnist with { Hidden = [32, -1] }, "must be positive" },
        { "small-cnn", new ModelSpec(1, 3, 28, 10), "at least 4" },
        { "mlp", ModelCases.Mnist with { Depth = 20 }, "Depth applies only" },
        { "valley", ModelCases.Mnist, "needs the valley dataset" },
        { "mlp", ModelCases.Mnist with { Classes = 1 }, "Classes must be at least 2" },
        { "mlp", ModelCases.Mnist with { Channels = 0 }, "must be positive" },
    };

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public void Invalid_spec_is_rejected_with_a_readable_message(string name, ModelSpec spec, string fragment)
    {
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.Create(name, spec));
        Assert.Contains(fragment, e.Message);
        Assert.StartsWith(name + ":", e.Message);
    }
}
