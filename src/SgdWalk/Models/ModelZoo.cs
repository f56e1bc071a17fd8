using SgdWalk.Platform;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// Named factories for every model the experiments use. Construction draws from torch's global generator, so
/// call <c>torch.manual_seed</c> first; the same seed gives bit-identical parameters.
/// </summary>
public static class ModelZoo
{
    /// <summary>Every family the zoo builds, each described once: factory, size estimates and what it supports.</summary>
    public static IReadOnlyList<ModelFamily> Known { get; } =
    [
        new("mlp", "MLP 784-500-350-10 with BatchNorm (the authors' MNIST model); widths from Hidden",
            new ModelSupport(Widths: true, OptionalBatchNorm: true, Convolutions: false),
            spec => new Mlp(spec), ModelEstimates.MlpParameters, ModelEstimates.MlpActivations),
        new("small-cnn", "conv32-conv64-fc128 with BatchNorm and max-pooling; fast on CPU; widths from Hidden",
            new ModelSupport(Widths: true, OptionalBatchNorm: true, Convolutions: true),
            spec => new SmallCnn(ValidSmallCnn(spec)), ModelEstimates.SmallCnnParameters, ModelEstimates.SmallCnnActivations),
        new("vgg11", "VGG-11 (configuration A) with BatchNorm, classifier 512-512 (the authors' CIFAR model); 32x32 only",
            new ModelSupport(Widths: false, OptionalBatchNorm: false, Convolutions: true),
            spec => new Vgg11(ValidVgg(spec)), ModelEstimates.Vgg11Parameters, ModelEstimates.Vgg11Activations),
        ResNet("resnet20", "pre-activation ResNet-20 (n = 3), 16/32/64 filters", fixedDepth: 20),
        ResNet("resnet56", "pre-activation ResNet-56 (n = 9), the authors' CIFAR ResNet", fixedDepth: 56),
        ResNet("resnet", "pre-activation ResNet of depth 6n+2 taken from Depth", fixedDepth: null),
        ValleyFamily("valley", "network-free (x, y) valley with a corrugated floor, on the valley dataset (claims' positive control)", Valley.Corrugation),
        ValleyFamily("valley-flat", "the same valley with a straight floor (b = 0), on the valley dataset", 0),
    ];

    /// <summary>The family called <paramref name="name"/> (case and spaces ignored); an unknown name is an error, never a guess.</summary>
    /// <exception cref="ArgumentException">No such family.</exception>
    public static ModelFamily Family(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant();
        return Known.FirstOrDefault(m => m.Name == key) ?? throw new ArgumentException(
            $"unknown model '{name}'; known models: {string.Join(", ", Known.Select(m => m.Name))}", nameof(name));
    }

    public static nn.Module<Tensor, Tensor> Create(string name, ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var family = Family(name);
        ValidateCommon(family, spec);
        ProcessSwitches.Configure();
        return family.Build(spec);
    }

    private static ModelFamily ResNet(string name, string description, int? fixedDepth) =>
        new(name, description, new ModelSupport(Widths: false, OptionalBatchNorm: false, Convolutions: true),
            spec => new PreActResNet(spec, ResNetDepth(name, spec, fixedDepth)),
            spec => ModelEstimates.ResNetParameters(spec, fixedDepth ?? spec.Depth ?? 20),
            spec => ModelEstimates.ResNetActivations(spec, fixedDepth ?? spec.Depth ?? 20));

    /// <summary>A <see cref="Models.Valley"/> of corrugation b: no widths, no BatchNorm to leave out, two parameters.</summary>
    private static ModelFamily ValleyFamily(string name, string description, double corrugation) =>
        new(name, description, new ModelSupport(Widths: false, OptionalBatchNorm: true, Convolutions: false),
            spec => new Valley(spec, corrugation), _ => 2, _ => ModelEstimates.ValleyActivations);

    private static void ValidateCommon(ModelFamily family, ModelSpec spec)
    {
        string name = family.Name;
        if (spec.Channels <= 0 || spec.Height <= 0 || spec.Width <= 0)
            Fail($"{name}: Channels, Height and Width must be positive (got {spec.Channels}x{spec.Height}x{spec.Width})");
        if (spec.Classes < 2)
            Fail($"{name}: Classes must be at least 2 (got {spec.Classes})");
        if (spec.Hidden is { } hidden)
        {
            if (!family.Supports.Widths) Fail($"{name}: Hidden applies only to {string.Join(" and ", Known.Where(f => f.Supports.Widths).Select(f => f.Name))}");
            if (hidden.Count == 0) Fail($"{name}: Hidden must list at least one width");
            if (hidden.Any(w => w <= 0)) Fail($"{name}: every Hidden width must be positive (got {string.Join(", ", hidden)})");
        }
        if (!family.Supports.OptionalBatchNorm && !spec.BatchNorm) Fail($"{name}: always uses BatchNorm; BatchNorm = false is not supported");
        if (spec.Depth is not null && !name.StartsWith("resnet", StringComparison.Ordinal))
            Fail($"{name}: Depth applies only to resnet models");
    }

    private static ModelSpec ValidSmallCnn(ModelSpec spec)
    {
        int pools = spec.Hidden?.Count ?? 2;
        if (spec.Height >> pools == 0 || spec.Width >> pools == 0)
            Fail($"small-cnn: {pools} max-pools need Height and Width of at least {1 << pools} (got {spec.Height}x{spec.Width})");
        return spec;
    }

    private static ModelSpec ValidVgg(ModelSpec spec)
    {
        if (spec.Height != 32 || spec.Width != 32)
            Fail($"vgg11: needs 32x32 inputs (five 2x2 pools down to 1x1x512 for the 512-wide classifier); got {spec.Height}x{spec.Width}");
        return spec;
    }

    private static int ResNetDepth(string name, ModelSpec spec, int? fixedDepth)
    {
        if (fixedDepth is { } d && spec.Depth is { } given && given != d)
            Fail($"{name}: has depth {d}; Depth = {given} conflicts (use 'resnet')");
        int depth = fixedDepth ?? spec.Depth ?? Fail<int>("resnet: Depth is required (6n+2, e.g. 20, 32, 44, 56, 110)");
        if (depth < 8 || (depth - 2) % 6 != 0)
            Fail($"resnet: Depth must be 6n+2 with n >= 1 (e.g. 20, 32, 44, 56, 110); got {depth}");
        if (spec.Height < 4 || spec.Width < 4)
            Fail($"{name}: two stride-2 stages need Height and Width of at least 4 (got {spec.Height}x{spec.Width})");
        return depth;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(string message) => throw new ArgumentException(message);

    private static T Fail<T>(string message) => throw new ArgumentException(message);
}
