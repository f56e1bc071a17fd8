using SgdWalk.Landscape;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// A CNN cheap enough for CPU experiments: per width [conv3x3 → BN? → ReLU → maxpool2], then
/// flatten → Linear(128) → ReLU → Linear(classes). Keys: features.conv1.weight, features.bn1.weight,
/// classifier.fc1.weight, classifier.fc2.weight.
/// </summary>
public sealed class SmallCnn : nn.Module<Tensor, Tensor>, IFirstLayerBatchNorm
{
    private const int FullyConnectedWidth = 128;

    private readonly Sequential features;
    private readonly Sequential classifier;
    private readonly Conv2d firstConv;
    private readonly List<nn.Module<Tensor, Tensor>> laterFeatures;

    public SmallCnn(ModelSpec spec) : base(nameof(SmallCnn))
    {
        var widths = spec.Hidden ?? [32, 64];
        var named = new List<(string, nn.Module<Tensor, Tensor>)>();
        long channels = spec.Channels;
        for (int i = 0; i < widths.Count; i++)
        {
            // With BN the conv bias is redundant, but we keep it: the authors' VGG does the same.
            named.Add(($"conv{i + 1}", nn.Conv2d(channels, widths[i], kernel_size: 3, padding: 1)));
            if (spec.BatchNorm) named.Add(($"bn{i + 1}", GroupedBatchNorm.TwoD(widths[i])));
            named.Add(($"relu{i + 1}", nn.ReLU()));
            named.Add(($"pool{i + 1}", nn.MaxPool2d(2)));
            channels = widths[i];
        }
        features = nn.Sequential(named);

        // Each pool floors the size in half: 28 -> 14 -> 7, 32 -> 16 -> 8.
        long flat = channels * (spec.Height >> widths.Count) * (spec.Width >> widths.Count);
        classifier = nn.Sequential(
            ("fc1", nn.Linear(flat, FullyConnectedWidth)),
            ("relu1", nn.ReLU()),
            ("fc2", nn.Linear(FullyConnectedWidth, spec.Classes)));
        RegisterComponents();
        // Aliases into the layers above, set after registration so they are not registered twice.
        firstConv = (Conv2d)named[0].Item2;
        laterFeatures = named.Skip(1).Select(m => m.Item2).ToList();
        FirstBatchNorm = laterFeatures[0] as GroupedBatchNorm;
        AuthorsInit.Apply(this);
    }

    public override Tensor forward(Tensor input)
    {
        using var maps = features.forward(input);   // [N, C', H/2^k, W/2^k]
        using var flat = maps.flatten(1);           // -> [N, C'·H'·W']
        return classifier.forward(flat);
    }

    public Tensor FirstLayer(Tensor input) => firstConv.call(input);

    public Tensor ForwardFromFirstLayer(Tensor firstLayerOutput) => Classify(LayerChain.Apply(laterFeatures, firstLayerOutput));

    public GroupedBatchNorm? FirstBatchNorm { get; }

    public Tensor ForwardFromFirstBatchNorm(Tensor normalised) => Classify(LayerChain.Apply(laterFeatures.Skip(1), normalised));

    private Tensor Classify(Tensor maps)
    {
        using var flat = maps.flatten(1);
        return classifier.forward(flat);
    }
}
