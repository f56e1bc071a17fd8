using SgdWalk.Platform;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// Named factories for every model the experiments use. Construction draws from torch's global generator, so
/// call <c>torch.manual_seed</c> first; the same seed gives bit-identical parameters.
/// </summary>
public static class ModelZoo
{
    public static IReadOnlyList<ModelInfo> Known { get; } =
    [
        new("mlp", "MLP 784-500-350-10 with BatchNorm (the authors' MNIST model); widths from Hidden"),
        new("small-cnn", "conv32-conv64-fc128 with BatchNorm and max-pooling; fast on CPU; widths from Hidden"),
        new("vgg11", "VGG-11 (configuration A) with BatchNorm, classifier 512-512 (the authors' CIFAR model); 32x32 only"),
        new("resnet20", "pre-activation ResNet-20 (n = 3), 16/32/64 filters"),
        new("resnet56", "pre-activation ResNet-56 (n = 9), the authors' CIFAR ResNet"),
        new("resnet", "pre-activation ResNet of depth 6n+2 taken from Depth"),
    ];

    public static nn.Module<Tensor, Tensor> Create(string name, ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(spec);
        string key = name.Trim().ToLowerInvariant();
        if (!Known.Any(m => m.Name == key))
            throw new ArgumentException(
                $"unknown model '{name}'; known models: {string.Join(", ", Known.Select(m => m.Name))}", nameof(name));
        ValidateCommon(key, spec);
        ProcessSwitches.Configure();
        return key switch
        {
            "mlp" => new Mlp(spec),
            "small-cnn" => new SmallCnn(ValidSmallCnn(spec)),
            "vgg11" => new Vgg11(ValidVgg(spec)),
            "resnet20" => new PreActResNet(spec, ResNetDepth(key, spec, fixedDepth: 20)),
            "resnet56" => new PreActResNet(spec, ResNetDepth(key, spec, fixedDepth: 56)),
            _ => new PreActResNet(spec, ResNetDepth(key, spec, fixedDepth: null)),
        };
    }

    private static void ValidateCommon(string name, ModelSpec spec)
    {
        if (spec.Channels <= 0 || spec.Height <= 0 || spec.Width <= 0)
            Fail($"{name}: Channels, Height and Width must be positive (got {spec.Channels}x{spec.Height}x{spec.Width})");
        if (spec.Classes < 2)
            Fail($"{name}: Classes must be at least 2 (got {spec.Classes})");
        bool configurable = name is "mlp" or "small-cnn";
        if (spec.Hidden is { } hidden)
        {
            if (!configurable) Fail($"{name}: Hidden applies only to mlp and small-cnn");
            if (hidden.Count == 0) Fail($"{name}: Hidden must list at least one width");
            if (hidden.Any(w => w <= 0)) Fail($"{name}: every Hidden width must be positive (got {string.Join(", ", hidden)})");
        }
        if (!configurable && !spec.BatchNorm) Fail($"{name}: always uses BatchNorm; BatchNorm = false is not supported");
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
