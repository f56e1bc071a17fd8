using SgdWalk.Landscape;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// A CNN cheap enough for CPU experiments: per width [conv3x3 → BN? → ReLU → maxpool2], then
/// flatten → Linear(128) → ReLU → Linear(classes). Keys: features.conv1.weight, features.bn1.weight,
/// classifier.fc1.weight, classifier.fc2.weight.
/// </summary>
public sealed class SmallCnn(ModelSpec spec) : ConvClassifier(nameof(SmallCnn), Features(spec), Classifier(spec))
{
    private const int FullyConnectedWidth = 128;

    private static List<(string, nn.Module<Tensor, Tensor>)> Features(ModelSpec spec)
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
        return named;
    }

    private static List<(string, nn.Module<Tensor, Tensor>)> Classifier(ModelSpec spec)
    {
        var widths = spec.Hidden ?? [32, 64];
        // Each pool floors the size in half: 28 -> 14 -> 7, 32 -> 16 -> 8.
        long flat = widths[^1] * (spec.Height >> widths.Count) * (spec.Width >> widths.Count);
        return [("fc1", nn.Linear(flat, FullyConnectedWidth)), ("relu1", nn.ReLU()), ("fc2", nn.Linear(FullyConnectedWidth, spec.Classes))];
    }
}
