using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// Accumulates, per point of a profile, the loss and accuracy of a view from its evaluation passes, and keeps each
/// sample's loss (when the loss is known per sample) for the standard error of the height.
/// </summary>
internal sealed class PointTotals(int points, int samples, LossSurface surface) : IDisposable
{
    private readonly double[] lossSums = new double[points];
    private readonly long[] correct = new long[points];
    private readonly Tensor? perSample = surface.PerSampleLoss is null ? null : zeros(points, samples).DetachFromDisposeScope();
    private bool classification = true;

    public IReadOnlyList<double> Losses => lossSums.Select(s => s / samples).ToArray();

    public IReadOnlyList<double> Accuracies => correct.Select(c => classification ? (double)c / samples : double.NaN).ToArray();

    /// <summary>Adds the outputs of samples [start, start + n) at point <paramref name="point"/>; <paramref name="chunk"/> is the loss's chunk size.</summary>
    public void Add(int point, int start, Tensor outputs, Tensor targets, int chunk)
    {
        long n = outputs.shape[0];
        if (surface.PerSampleLoss is { } lossPerSample)
        {
            var losses = lossPerSample(outputs, targets);
            perSample![point].narrow(0, start, n).copy_(losses);
            lossSums[point] += losses.sum(ScalarType.Float64).item<double>();
        }
        else
        {
            // A mean loss only: the pass's chunks one by one, each weighted by its size.
            for (long c = 0; c < n; c += chunk)
            {
                long m = Math.Min(chunk, n - c);
                lossSums[point] += surface.Loss(outputs.narrow(0, c, m), targets.narrow(0, c, m)).to(ScalarType.Float64).item<double>() * m;
            }
        }
        classification &= outputs.dim() == 2 && targets.dtype == ScalarType.Int64;
        if (classification) correct[point] += outputs.argmax(1).eq(targets).sum().item<long>();
    }

    /// <summary>Point <paramref name="point"/>'s per-sample losses, handed over to the caller (null when unknown).</summary>
    public Tensor? TakeRow(int point)
    {
        if (perSample is null) return null;
        using var row = perSample[point];
        return row.clone().DetachFromDisposeScope();
    }

    public void Dispose() => perSample?.Dispose();
}
