using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// The authors' MNIST MLP: flatten → [Linear → BatchNorm1d → ReLU] per hidden width → Linear(classes).
/// Keys: layers.fc1.weight, layers.bn1.weight, ..., layers.fc{k+1}.bias (fc{k+1} is the output layer).
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public Mlp(ModelSpec spec) : base(nameof(Mlp))
    {
        var widths = spec.Hidden ?? [500, 350];
        var named = new List<(string, nn.Module<Tensor, Tensor>)>();
        long inputs = (long)spec.Channels * spec.Height * spec.Width;
        for (int i = 0; i < widths.Count; i++) {
            named.Add(($"fc{i + 1}", nn.Linear(inputs, widths[i])));
            if (spec.BatchNorm) named.Add(($"bn{i + 1}", nn.BatchNorm1d(widths[i])));
            named.Add(($"relu{i + 1}", nn.ReLU()));
            inputs = widths[i];
        }
        named.Add(($"fc{widths.Count + 1}", nn.Linear(inputs, spec.Classes)));
        layers = nn.Sequential(named);
        RegisterComponents();
        AuthorsInit.Apply(this);
    }

    public override Tensor forward(Tensor input) =>
        layers.forward(input.flatten(1)); // [N, C, H, W] -> [N, C·H·W]
}
