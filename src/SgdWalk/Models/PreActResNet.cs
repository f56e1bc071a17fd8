using SgdWalk.Landscape;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// The authors' pre-activation ResNet of depth 6n+2: a 16-filter conv stem, three stages of n blocks with
/// 16/32/64 filters (stride 2 entering stages 2 and 3), final BN → ReLU, global average pooling, FC 64 → classes.
/// They pool with a fixed 8x8 window (CIFAR only); adaptive pooling gives the same on 32x32 and also fits 28x28.
/// Keys: stem.weight, stage{s}.block{b}.{bn1,conv1,bn2,conv2,shortcut}.*, bn.*, fc.*.
/// </summary>
public sealed class PreActResNet : nn.Module<Tensor, Tensor>, IAffineFirstLayer
{
    private static readonly int[] StageWidths = [16, 32, 64];

    private readonly Conv2d stem;
    private readonly Sequential stage1;
    private readonly Sequential stage2;
    private readonly Sequential stage3;
    private readonly GroupedBatchNorm bn;
    private readonly AdaptiveAvgPool2d pool;
    private readonly Linear fc;

    public PreActResNet(ModelSpec spec, int depth) : base(nameof(PreActResNet))
    {
        int blocks = (depth - 2) / 6;
        stem = nn.Conv2d(spec.Channels, StageWidths[0], kernel_size: 3, padding: 1, bias: false);
        long channels = StageWidths[0];
        var stages = new Sequential[3];
        for (int s = 0; s < 3; s++)
        {
            var named = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int b = 0; b < blocks; b++)
            {
                long stride = s > 0 && b == 0 ? 2 : 1;
                named.Add(($"block{b + 1}", new PreActBlock(channels, StageWidths[s], stride)));
                channels = StageWidths[s];
            }
            stages[s] = nn.Sequential(named);
        }
        (stage1, stage2, stage3) = (stages[0], stages[1], stages[2]);
        bn = GroupedBatchNorm.TwoD(channels);
        pool = nn.AdaptiveAvgPool2d(1);
        fc = nn.Linear(channels, spec.Classes);
        RegisterComponents();
        AuthorsInit.Apply(this);
    }

    public override Tensor forward(Tensor input)
    {
        using var h0 = stem.forward(input);         // [N, 16, H, W]
        return ForwardFromFirstLayer(h0);
    }

    public Tensor FirstLayer(Tensor input) => stem.forward(input);

    public Tensor ForwardFromFirstLayer(Tensor h0)
    {
        using var h1 = stage1.forward(h0);          // [N, 16, H, W]
        using var h2 = stage2.forward(h1);          // [N, 32, H/2, W/2]
        using var h3 = stage3.forward(h2);          // [N, 64, H/4, W/4]
        using var a = bn.forward(h3).relu_();
        using var pooled = pool.forward(a);         // [N, 64, 1, 1]
        using var flat = pooled.flatten(1);         // -> [N, 64]
        return fc.forward(flat);
    }
}
