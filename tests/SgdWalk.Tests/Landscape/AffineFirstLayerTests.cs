using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Landscape;

/// <summary>The first-layer shortcut changes the cost of a profile, not its numbers (beyond float rounding).</summary>
public class AffineFirstLayerTests
{
    [Theory]
    [InlineData(BatchNormPolicy.BatchStats)]
    [InlineData(BatchNormPolicy.Running)]
    public void Profiles_with_and_without_the_shortcut_agree(BatchNormPolicy policy)
    {
        using var data = SyntheticData.Create(9, trainCount: 600);
        manual_seed(9);
        using var model = ModelZoo.Create("mlp", new ModelSpec(1, 8, 8, data.Train.Classes, [64, 32]));
        Assert.IsAssignableFrom<IAffineFirstLayer>(model);
        var parameters = model.parameters().ToList();
        using var view = DataView.Own("probe", data.Train.Images.clone(), data.Train.Labels.clone(), 100);

        using var start = ParamVector.OfValues(parameters);
        using var stateStart = ModelState.Capture(model);
        // A realistic step: one SGD update on a batch, so the direction has the scale of training.
        model.train();
        using (var loss = nn.functional.cross_entropy(model.call(data.Train.Images[..100]), data.Train.Labels[..100])) loss.backward();
        using (no_grad()) foreach (var p in parameters) p.add_(p.grad!, -0.5);
        using var end = ParamVector.OfValues(parameters);
        using var stateEnd = ModelState.Capture(model);
        using var direction = end.Minus(start);
        var segment = new Segment(start, end, direction, stateStart, stateEnd);
        var alphas = Enumerable.Range(0, 21).Select(i => -0.5 + i * 0.1).Select(a => Math.Round(a, 12)).ToArray();

        var surface = new LossSurface(model, LossSurface.CrossEntropy, policy);
        var fast = new SegmentProfiler(surface, parameters).Measure(segment, alphas, view).Profile;
        var plain = new SegmentProfiler(surface, parameters) { Fast = false }.Measure(segment, alphas, view).Profile;

        for (int i = 0; i < alphas.Length; i++)
        {
            if (alphas[i] is 0 or 1) Assert.Equal(plain.Losses[i], fast.Losses[i]); // endpoints: bit for bit
            else Assert.Equal(plain.Losses[i], fast.Losses[i], 2e-5 * Math.Max(1, plain.Losses[i]));
        }
        Assert.Equal(plain.FloorAlpha, fast.FloorAlpha, 1e-3);
        using var after = ParamVector.OfValues(parameters);
        Assert.Equal(0, ParamVector.Distance(after, end)); // the model is left at θ_{t+1}
    }
}
