using SgdWalk.Landscape;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// The authors' pre-activation residual block: BN → ReLU → conv3x3 → BN → ReLU → conv3x3, plus the input.
/// When the block changes shape (stride 2, more filters) the input goes through a bias-free 1x1 conv;
/// as in their code the shortcut takes the raw input x, not the pre-activated one.
/// Keys: bn1, conv1, bn2, conv2, shortcut (only on shape-changing blocks).
/// </summary>
public sealed class PreActBlock : nn.Module<Tensor, Tensor>
{
    private readonly GroupedBatchNorm bn1;
    private readonly Conv2d conv1;
    private readonly GroupedBatchNorm bn2;
    private readonly Conv2d conv2;
    private readonly Conv2d? shortcut;

    public PreActBlock(long inChannels, long outChannels, long stride) : base(nameof(PreActBlock))
    {
        bn1 = GroupedBatchNorm.TwoD(inChannels);
        conv1 = nn.Conv2d(inChannels, outChannels, kernel_size: 3, stride: stride, padding: 1, bias: false);
        bn2 = GroupedBatchNorm.TwoD(outChannels);
        conv2 = nn.Conv2d(outChannels, outChannels, kernel_size: 3, padding: 1, bias: false);
        if (stride != 1 || inChannels != outChannels)
            shortcut = nn.Conv2d(inChannels, outChannels, kernel_size: 1, stride: stride, bias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        // In-place ReLU is safe: BN's backward needs its input, not its output.
        using var a1 = bn1.forward(input).relu_();
        using var h1 = conv1.forward(a1);
        using var a2 = bn2.forward(h1).relu_();
        using var h2 = conv2.forward(a2);
        return shortcut is null ? h2.add(input) : h2.add(shortcut.forward(input));
    }
}
