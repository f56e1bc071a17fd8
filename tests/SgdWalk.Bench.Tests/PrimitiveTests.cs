using SgdWalk.Bench.Primitives;
using SgdWalk.Models;
using static TorchSharp.torch;

namespace SgdWalk.Bench.Tests;

/// <summary>The primitives every bench shares: the plain SGD step, repeated timings, peak memory.</summary>
public class PrimitiveTests
{
    [Fact]
    public void The_plain_step_is_theta_minus_lr_times_the_batch_gradient()
    {
        manual_seed(3);
        using var model = ModelZoo.Create("mlp", new ModelSpec(1, 4, 4, 3, Hidden: [5]));
        var parameters = model.parameters().ToList();
        using var images = randn(10, 1, 4, 4);
        using var labels = randint(0, 3, [10], dtype: ScalarType.Int64);
        using var step = new PlainSgdStep(model, parameters, images, labels, batchSize: 10, learningRate: 0.5, seed: 1);

        // The oracle: the same batch's gradient by autograd, applied by hand.
        model.train();
        var gradients = autograd.grad([nn.functional.cross_entropy(model.call(images), labels)], parameters.Cast<Tensor>().ToList());
        var expected = parameters.Zip(gradients, (p, g) => p.detach().sub(g.mul(0.5))).ToArray();
        step.Step(images, labels);
        for (int i = 0; i < parameters.Count; i++)
            Assert.True(parameters[i].allclose(expected[i], rtol: 1e-5, atol: 1e-6), $"parameter {i}");
    }

    [Fact]
    public void Timings_run_once_untimed_then_each_repeat()
    {
        int calls = 0;
        var seen = new List<int>();
        var timings = Timings.Measure(3, () => calls++, seen.Add);
        Assert.Equal(4, calls);
        Assert.Equal([0, 1, 2], seen);
        Assert.Equal(3, timings.Milliseconds.Count);
        Assert.True(timings.Min <= timings.Median && timings.Median <= timings.Max);
        Assert.True(double.IsNaN(new Timings([]).Min));
    }

    [Fact]
    public void Peak_memory_after_a_reset_is_at_least_the_resident_memory_at_the_reset()
    {
        var memory = new PeakMemory();
        Assert.Equal("not measured", memory.Method);
        double start = memory.Reset();
        Assert.True(start > 0);
        Assert.True(PeakMemory.Peak() >= start * 0.99, $"{PeakMemory.Peak()} < {start}");
        Assert.StartsWith("peak", memory.Method);
    }
}
