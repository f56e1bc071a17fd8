using SgdWalk.Landscape;
using SgdWalk.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Models;

/// <summary>Every entry of the zoo's catalogue says the truth about the module it builds.</summary>
public class ModelFamilyTests
{
    public static TheoryData<string> Families => new(ModelZoo.Known.Select(f => f.Name));

    private static ModelSpec SpecFor(ModelFamily family) =>
        family.Name == "resnet" ? ModelCases.Cifar with { Depth = 14 } : family.Name.StartsWith("valley", StringComparison.Ordinal) ? ModelCases.Valley : ModelCases.Cifar;

    [Theory]
    [MemberData(nameof(Families))]
    public void The_parameter_estimate_is_the_built_count(string name)
    {
        var family = ModelZoo.Family(name);
        var spec = SpecFor(family);
        using var model = ModelZoo.Create(name, spec);
        long built = model.parameters().Sum(p => p.numel());
        Assert.Equal(built, family.Parameters(spec), 0.02 * built);
        Assert.Equal(family.Parameters(spec), ModelCheck.Parameters(name, spec));
        Assert.True(family.ActivationFloats(spec) > spec.Channels * spec.Height * spec.Width, "activations include at least the input");
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void What_the_family_says_it_supports_is_what_it_builds(string name)
    {
        var family = ModelZoo.Family(name);
        var spec = SpecFor(family);
        using var model = ModelZoo.Create(name, spec);
        Assert.Equal(family.Supports.Convolutions, model.modules().Any(m => m is Conv2d));
        // The fast profile path pays exactly where there are no convolutions, and the profiler decides it itself.
        Assert.Equal(!family.Supports.Convolutions, SegmentProfiler.FastPays(model));
        using var surface = new SegmentProfiler(new LossSurface(model, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats),
            model.parameters().ToList())
        { Fast = true };
        Assert.Equal(!family.Supports.Convolutions, surface.Fast);

        var widths = Record.Exception(() => ModelZoo.Create(name, spec with { Hidden = [8, 8] })?.Dispose());
        Assert.True(family.Supports.Widths == widths is null, $"{name}: Widths {family.Supports.Widths}, building with widths: {widths?.Message}");
        var withoutBn = Record.Exception(() => ModelZoo.Create(name, spec with { BatchNorm = false })?.Dispose());
        Assert.True(family.Supports.OptionalBatchNorm == withoutBn is null, $"{name}: OptionalBatchNorm {family.Supports.OptionalBatchNorm}, building without: {withoutBn?.Message}");
    }

    [Fact]
    public void An_unknown_model_is_an_error_never_a_guess()
    {
        Assert.Throws<ArgumentException>(() => ModelZoo.Family("resnet18"));
        Assert.Throws<ArgumentException>(() => ModelCheck.Parameters("resnet18", ModelCases.Cifar));
        Assert.Throws<ArgumentException>(() => ModelCheck.ActivationFloats("lenet", ModelCases.Mnist));
        Assert.Equal("small-cnn", ModelZoo.Family(" Small-CNN ").Name);
    }

    /// <summary>SmallCnn and Vgg11 share <see cref="ConvClassifier"/>; their keys and the fast path's contract stay as they were.</summary>
    [Fact]
    public void The_shared_cnn_plumbing_keeps_keys_and_the_first_layer_contract()
    {
        manual_seed(5);
        using var cnn = ModelZoo.Create("small-cnn", ModelCases.Mnist);
        Assert.Equal(["features.conv1.weight", "features.conv1.bias", "features.bn1.weight", "features.bn1.bias", "features.conv2.weight",
            "features.conv2.bias", "features.bn2.weight", "features.bn2.bias", "classifier.fc1.weight", "classifier.fc1.bias",
            "classifier.fc2.weight", "classifier.fc2.bias"], cnn.named_parameters().Select(p => p.name));
        var split = Assert.IsAssignableFrom<IFirstLayerBatchNorm>(cnn);
        Assert.NotNull(split.FirstBatchNorm);
        using var scope = NewDisposeScope();
        cnn.train();
        var x = randn(4, 1, 28, 28);
        Assert.Equal(0, (cnn.call(x) - split.ForwardFromFirstLayer(split.FirstLayer(x))).abs().max().item<float>());
        using var bare = ModelZoo.Create("small-cnn", ModelCases.Mnist with { BatchNorm = false });
        Assert.Null(((IFirstLayerBatchNorm)bare).FirstBatchNorm);
    }
}
