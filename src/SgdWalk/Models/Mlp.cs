using SgdWalk.Landscape;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// The authors' MNIST MLP: flatten → [Linear → BatchNorm1d → ReLU] per hidden width → Linear(classes).
/// Keys: layers.fc1.weight, layers.bn1.weight, ..., layers.fc{k+1}.bias (fc{k+1} is the output layer).
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>, IFirstLayerBatchNorm
{
    private readonly Sequential layers;
    private readonly Linear first;
    private readonly List<nn.Module<Tensor, Tensor>> rest;

    public Mlp(ModelSpec spec) : base(nameof(Mlp))
    {
        var widths = spec.Hidden ?? [500, 350];
        var named = new List<(string, nn.Module<Tensor, Tensor>)>();
        long inputs = (long)spec.Channels * spec.Height * spec.Width;
        for (int i = 0; i < widths.Count; i++)
        {
            named.Add(($"fc{i + 1}", nn.Linear(inputs, widths[i])));
            if (spec.BatchNorm) named.Add(($"bn{i + 1}", GroupedBatchNorm.OneD(widths[i])));
            named.Add(($"relu{i + 1}", nn.ReLU()));
            inputs = widths[i];
        }
        named.Add(($"fc{widths.Count + 1}", nn.Linear(inputs, spec.Classes)));
        layers = nn.Sequential(named);
        RegisterComponents();
        // Aliases into the layers above, set after registration so they are not registered twice.
        first = (Linear)named[0].Item2;
        rest = named.Skip(1).Select(m => m.Item2).ToList();
        FirstBatchNorm = rest[0] as GroupedBatchNorm;
        AuthorsInit.Apply(this);
    }

    public override Tensor forward(Tensor input) =>
        layers.forward(input.flatten(1)); // [N, C, H, W] -> [N, C·H·W]

    public Tensor FirstLayer(Tensor input)
    {
        using var flat = input.flatten(1);
        return first.call(flat);
    }

    public Tensor ForwardFromFirstLayer(Tensor firstLayerOutput) => LayerChain.Apply(rest, firstLayerOutput);

    public GroupedBatchNorm? FirstBatchNorm { get; }

    public Tensor ForwardFromFirstBatchNorm(Tensor normalised) => LayerChain.Apply(rest.Skip(1), normalised);
}
