using SgdWalk.Landscape;
using SgdWalk.Models;
using SgdWalk.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Training;

/// <summary>The shared step halves against the step written out by hand (float32, as training runs).</summary>
public class SgdStepTests
{
    private static (nn.Module<Tensor, Tensor> Model, List<TorchSharp.Modules.Parameter> Parameters) Mlp(bool batchNorm)
    {
        manual_seed(4);
        var model = ModelZoo.Create("mlp", new ModelSpec(1, 3, 3, 4, [7], batchNorm, null));
        return (model, model.parameters().Where(p => p.requires_grad).ToList());
    }

    private static (Tensor X, Tensor Y) Batch()
    {
        using var generator = new Generator(2);
        return (randn([24, 1, 3, 3], generator: generator), randint(0, 4, [24], generator: generator));
    }

    [Fact]
    public void The_plain_step_is_forward_backward_and_theta_minus_lr_g_bit_for_bit()
    {
        var (x, y) = Batch();
        var (byHand, handParameters) = Mlp(batchNorm: true);
        byHand.train();
        var loss = nn.functional.cross_entropy(byHand.call(x), y);
        loss.backward();
        using (no_grad()) foreach (var p in handParameters) p.add_(p.grad!, -0.3);

        var (model, parameters) = Mlp(batchNorm: true);
        model.eval();
        double reported = SgdStep.Plain(model, parameters, x, y, 0.3);

        Assert.True(model.training);
        Assert.Equal(loss.item<float>(), reported);
        using var expected = ParamVector.OfValues(handParameters);
        using var actual = ParamVector.OfValues(parameters);
        Assert.True(expected.Flat.eq(actual.Flat).all().item<bool>());
        // BatchNorm's running statistics moved exactly as in the hand-written step.
        Assert.All(byHand.buffers().Zip(model.buffers()), b => Assert.True(b.First.eq(b.Second).all().item<bool>()));
    }

    [Fact]
    public void Chunks_accumulate_the_batch_mean_gradient_or_with_the_authors_quirk_the_sum_of_chunk_means()
    {
        var (x, y) = Batch();
        var (model, parameters) = Mlp(batchNorm: false);
        double whole = SgdStep.ForwardBackward(model, parameters, x, y, chunkSize: 24);
        using var g = ParamVector.OfGradients(parameters);
        // 24 samples in chunks of 10, 10, 4: weighted by chunk size, the mean loss and gradient are the whole batch's.
        double chunked = SgdStep.ForwardBackward(model, parameters, x, y, chunkSize: 10);
        using var gChunked = ParamVector.OfGradients(parameters);
        Assert.Equal(whole, chunked, 1e-5);
        Assert.True(g.Flat.allclose(gChunked.Flat, rtol: 1e-4, atol: 1e-6));

        // 24 samples in chunks of 8: three chunk means summed are three times the mean gradient.
        SgdStep.ForwardBackward(model, parameters, x, y, chunkSize: 8, sumChunkMeans: true);
        using var gSummed = ParamVector.OfGradients(parameters);
        Assert.True(g.Flat.mul(3).allclose(gSummed.Flat, rtol: 1e-4, atol: 1e-6));
    }
}
