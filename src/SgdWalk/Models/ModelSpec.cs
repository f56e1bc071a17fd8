namespace SgdWalk.Models;

/// <summary>
/// What a model needs to know about its data, plus the few architecture knobs the experiments vary.
/// </summary>
/// <param name="Hidden">mlp: hidden widths (default 500, 350 as the authors); small-cnn: conv widths (default 32, 64).</param>
/// <param name="BatchNorm">mlp: BN after each hidden linear layer; small-cnn: BN after each conv. vgg/resnet always use BN.</param>
/// <param name="Depth">resnet: 6n+2 (20, 32, 44, 56, 110, ...).</param>
public sealed record ModelSpec(
    int Channels, int Height, int Width, int Classes,
    IReadOnlyList<int>? Hidden = null,
    bool BatchNorm = true,
    int? Depth = null);

/// <summary>
/// What a family supports: configurable widths (<see cref="ModelSpec.Hidden"/>), BatchNorm that can be left out, and
/// convolutions (so the narrow-convolution gradient check applies and the fast profile path does not pay). The
/// first-layer shortcut and the fused first BatchNorm follow from the module's interfaces (<c>IAffineFirstLayer</c>,
/// <c>IFirstLayerBatchNorm</c>); ModelFamilyTests checks every entry against the module it builds.
/// </summary>
public sealed record ModelSupport(bool Widths, bool OptionalBatchNorm, bool Convolutions);

/// <summary>
/// One model family of the zoo, described once: its name and description (`sgdwalk list`), its factory (after the
/// zoo's common checks), and its size estimates from the architecture alone (trainable parameters, and floats one
/// sample's forward pass keeps for backward), which the memory check uses before anything is allocated.
/// </summary>
public sealed record ModelFamily(string Name, string Description, ModelSupport Supports,
    Func<ModelSpec, TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>> Build,
    Func<ModelSpec, double> Parameters, Func<ModelSpec, double> ActivationFloats);
