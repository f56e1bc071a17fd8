using SgdWalk.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Training;

/// <summary>The optimiser against the update rule written out in plain arithmetic, and against TorchSharp's own SGD.</summary>
public class SgdOptimizerTests
{
    [Theory]
    [InlineData(0.0, 0.0, false)]
    [InlineData(0.0, 0.01, false)]
    [InlineData(0.9, 0.01, false)]
    [InlineData(0.9, 0.01, true)]
    public void Updates_follow_the_documented_rule(double momentum, double weightDecay, bool nesterov)
    {
        double lr = 0.1;
        double[] theta = [1.0, -2.0, 0.5];
        var p = new Parameter(tensor(theta));
        using var sgd = new SgdOptimizer([p], momentum, weightDecay, nesterov);
        var buffer = new double[3];
        for (int step = 0; step < 4; step++)
        {
            // Loss Σ c_i θ_i² with step-dependent c gives a known gradient 2cθ.
            double[] c = [1 + step, 0.5, 2 - 0.3 * step];
            sgd.ZeroGrad();
            using (var loss = (tensor(c) * p * p).sum()) loss.backward();
            sgd.Step(lr);
            for (int i = 0; i < 3; i++)
            {
                double d = 2 * c[i] * theta[i] + weightDecay * theta[i];
                if (momentum != 0)
                {
                    buffer[i] = step == 0 ? d : momentum * buffer[i] + d;
                    d = nesterov ? d + momentum * buffer[i] : buffer[i];
                }
                theta[i] -= lr * d;
            }
            Assert.Equal(theta, p.data<double>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        }
    }

    [Fact]
    public void Matches_TorchSharp_sgd_bit_for_bit_in_float32()
    {
        manual_seed(3);
        var a = new Parameter(randn(50));
        var b = new Parameter(a.detach().clone());
        using var ours = new SgdOptimizer([a], 0.9, 1e-4, false);
        using var theirs = optim.SGD([b], 0.05, 0.9, 0, 1e-4, false);
        for (int step = 0; step < 5; step++)
        {
            using var target = randn(50);
            ours.ZeroGrad();
            theirs.zero_grad();
            using (var la = (a - target).pow(2).sum()) la.backward();
            using (var lb = (b - target).pow(2).sum()) lb.backward();
            ours.Step(0.05);
            theirs.step();
        }
        Assert.Equal(b.data<float>().ToArray(), a.data<float>().ToArray());
    }
}
