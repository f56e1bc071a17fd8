using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>
/// The two halves of a training step, written once: the gradient of the batch-mean cross-entropy, and the plain
/// step θ ← θ − η·g that the `--probe-size auto` pilot and the bench take (no weight decay, momentum or probes).
/// </summary>
public static class SgdStep
{
    /// <summary>
    /// Zeroes the gradients, then accumulates g = ∇ of the batch-mean loss over chunks of <paramref name="chunkSize"/>
    /// samples in train mode (BatchNorm statistics per chunk); returns the batch-mean loss. With
    /// <paramref name="sumChunkMeans"/> the chunk-mean gradients are summed instead (the authors' GD quirk).
    /// </summary>
    public static double ForwardBackward(nn.Module<Tensor, Tensor> model, IReadOnlyList<Parameter> parameters, Tensor inputs, Tensor targets,
        int chunkSize, bool sumChunkMeans = false)
    {
        model.train();
        foreach (var p in parameters) p.grad?.zero_();
        long n = inputs.shape[0];
        double loss = 0;
        for (long start = 0; start < n; start += chunkSize)
        {
            long count = Math.Min(chunkSize, n - start);
            var chunkLoss = nn.functional.cross_entropy(model.call(inputs.narrow(0, start, count)), targets.narrow(0, start, count));
            double weight = count / (double)n;
            double gradientWeight = sumChunkMeans ? 1 : weight;
            (gradientWeight == 1 ? chunkLoss : chunkLoss.mul(gradientWeight)).backward();
            loss += chunkLoss.item<float>() * weight;
        }
        return loss;
    }

    /// <summary>One plain SGD step on the whole batch in one pass; returns the batch loss. The caller's scope owns the temporaries.</summary>
    public static double Plain(nn.Module<Tensor, Tensor> model, IReadOnlyList<Parameter> parameters, Tensor inputs, Tensor targets, double learningRate)
    {
        double loss = ForwardBackward(model, parameters, inputs, targets, (int)inputs.shape[0]);
        using var optimizer = new SgdOptimizer(parameters);
        optimizer.Step(learningRate);
        return loss;
    }
}
