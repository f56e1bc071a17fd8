using SgdWalk.Landscape;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// The plumbing SmallCnn and Vgg11 share: a `features` stack that starts with a convolution (optionally followed by
/// BatchNorm), flattened into a `classifier` stack. It gives both the first-layer shortcut and the fused first
/// BatchNorm of the fast profile path (<see cref="IFirstLayerBatchNorm"/>). Keys: features.*, classifier.*.
/// </summary>
public abstract class ConvClassifier : nn.Module<Tensor, Tensor>, IFirstLayerBatchNorm
{
    private readonly Sequential features;
    private readonly Sequential classifier;
    private readonly Conv2d firstConv;
    private readonly List<nn.Module<Tensor, Tensor>> laterFeatures;

    /// <param name="name">The module's name (the family's class name).</param>
    /// <param name="featureLayers">Named feature layers, a <see cref="Conv2d"/> first.</param>
    /// <param name="classifierLayers">Named classifier layers, applied to the flattened features.</param>
    protected ConvClassifier(string name, IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Layer)> featureLayers,
        IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Layer)> classifierLayers) : base(name)
    {
        features = nn.Sequential(featureLayers.Select(l => (l.Name, l.Layer)).ToList());
        classifier = nn.Sequential(classifierLayers.Select(l => (l.Name, l.Layer)).ToList());
        // Registered explicitly (not RegisterComponents) so the aliases below are never registered twice.
        register_module("features", features);
        register_module("classifier", classifier);
        firstConv = (Conv2d)featureLayers[0].Layer;
        laterFeatures = featureLayers.Skip(1).Select(l => l.Layer).ToList();
        FirstBatchNorm = laterFeatures[0] as GroupedBatchNorm;
        AuthorsInit.Apply(this);
    }

    public override Tensor forward(Tensor input)
    {
        using var maps = features.forward(input);
        return Classify(maps);
    }

    public Tensor FirstLayer(Tensor input) => firstConv.call(input);

    public Tensor ForwardFromFirstLayer(Tensor firstLayerOutput) => Classify(LayerChain.Apply(laterFeatures, firstLayerOutput));

    public GroupedBatchNorm? FirstBatchNorm { get; }

    public Tensor ForwardFromFirstBatchNorm(Tensor normalised) => Classify(LayerChain.Apply(laterFeatures.Skip(1), normalised));

    private Tensor Classify(Tensor maps)
    {
        using var flat = maps.flatten(1);   // [N, C, H, W] -> [N, C·H·W]
        return classifier.forward(flat);
    }
}
