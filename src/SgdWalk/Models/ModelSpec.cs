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

/// <summary>One entry of the zoo's catalogue.</summary>
public sealed record ModelInfo(string Name, string Description);
