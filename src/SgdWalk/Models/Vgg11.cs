using SgdWalk.Landscape;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// The authors' CIFAR VGG-11 (configuration A) with BatchNorm after every conv and a 512-512-classes classifier
/// (their dropout is p = 0, so it is left out). Keys: features.conv1..conv8 / bn1..bn8,
/// classifier.fc1..fc3. Five 2x2 pools take 32x32 to 1x1, which is why the input must be 32x32.
/// </summary>
public sealed class Vgg11(ModelSpec spec) : ConvClassifier(nameof(Vgg11), Features(spec), Classifier(spec))
{
    /// <summary>Configuration A: conv widths, 0 marks a 2x2 max-pool.</summary>
    private static readonly int[] ConfigurationA = [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0];
    private const int FeatureWidth = 512;

    private static List<(string, nn.Module<Tensor, Tensor>)> Features(ModelSpec spec)
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
        return named;
    }

    private static List<(string, nn.Module<Tensor, Tensor>)> Classifier(ModelSpec spec) =>
    [
        ("fc1", nn.Linear(FeatureWidth, FeatureWidth)), ("relu1", nn.ReLU()),
        ("fc2", nn.Linear(FeatureWidth, FeatureWidth)), ("relu2", nn.ReLU()),
        ("fc3", nn.Linear(FeatureWidth, spec.Classes)),
    ];
}
