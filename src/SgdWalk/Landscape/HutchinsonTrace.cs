using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>An estimate with its standard error (the sample standard deviation over √samples).</summary>
public readonly record struct TraceEstimate(double Value, double StandardError, int Samples);

/// <summary>
/// Hutchinson's estimator tr(H) = E[zᵀHz] with Rademacher z (entries ±1), one product per sample. The draws come from
/// the caller's seeded generator, never torch's global one, so estimating cannot move the training walk.
/// </summary>
public static class HutchinsonTrace
{
    public static TraceEstimate Estimate(Func<ParamVector, ParamVector> product, ParamVector like, int samples, Generator generator)
    {
        if (samples < 2) throw new ArgumentOutOfRangeException(nameof(samples), "at least two samples, for a standard error");
        var values = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            using var z = like.Like(Rademacher(like, generator));
            using var hz = product(z);
            values[s] = z.Dot(hz);
        }
        double mean = values.Average();
        double variance = values.Sum(x => (x - mean) * (x - mean)) / (samples - 1);
        return new TraceEstimate(mean, Math.Sqrt(variance / samples), samples);
    }

    private static Tensor Rademacher(ParamVector like, Generator generator)
    {
        using var scope = NewDisposeScope();
        var bits = randint(0, 2, [like.Length], dtype: like.Flat.dtype, device: like.Flat.device, generator: generator);
        return bits.mul(2).sub(1).MoveToOuterDisposeScope();
    }
}
