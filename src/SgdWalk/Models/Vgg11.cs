using SgdWalk.Landscape;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// The authors' CIFAR VGG-11 (configuration A) with BatchNorm after every conv and a 512-512-classes classifier
/// (their dropout is p = 0, so it is left out). Keys: features.conv1..conv8 / bn1..bn8,
/// classifier.fc1..fc3. Five 2x2 pools take 32x32 to 1x1, which is why the input must be 32x32.
/// </summary>
public sealed class Vgg11 : nn.Module<Tensor, Tensor>, IFirstLayerBatchNorm
{
    /// <summary>Configuration A: conv widths, 0 marks a 2x2 max-pool.</summary>
    private static readonly int[] ConfigurationA = [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0];
    private const int FeatureWidth = 512;

    private readonly Sequential features;
    private readonly Sequential classifier;
    private readonly Conv2d firstConv;
    private readonly List<nn.Module<Tensor, Tensor>> laterFeatures;

    public Vgg11(ModelSpec spec) : base(nameof(Vgg11))
    {
        var named = new List<(string, nn.Module<Tensor, Tensor>)>();
        long channels = spec.Channels;
        int conv = 0, pool = 0;
        foreach (int width in ConfigurationA)
        {
            if (width == 0)
            {
                named.Add(($"pool{++pool}", nn.MaxPool2d(2)));
                continue;
            }
            conv++;
            named.Add(($"conv{conv}", nn.Conv2d(channels, width, kernel_size: 3, padding: 1)));
            named.Add(($"bn{conv}", GroupedBatchNorm.TwoD(width)));
            named.Add(($"relu{conv}", nn.ReLU()));
            channels = width;
        }
        features = nn.Sequential(named);
        classifier = nn.Sequential(
            ("fc1", nn.Linear(FeatureWidth, FeatureWidth)),
            ("relu1", nn.ReLU()),
            ("fc2", nn.Linear(FeatureWidth, FeatureWidth)),
            ("relu2", nn.ReLU()),
            ("fc3", nn.Linear(FeatureWidth, spec.Classes)));
        RegisterComponents();
        // Aliases into the layers above, set after registration so they are not registered twice.
        firstConv = (Conv2d)named[0].Item2;
        laterFeatures = named.Skip(1).Select(m => m.Item2).ToList();
        FirstBatchNorm = laterFeatures[0] as GroupedBatchNorm;
        AuthorsInit.Apply(this);
    }

    public override Tensor forward(Tensor input)
    {
        using var maps = features.forward(input);   // [N, 512, 1, 1]
        using var flat = maps.flatten(1);           // -> [N, 512]
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
