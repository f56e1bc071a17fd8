using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// Power iteration on a symmetric operator (a Hessian through its products): v ← Hv/‖Hv‖ until the Rayleigh quotient
/// vᵀHv changes by less than tolerance·|λ|. It finds the eigenvalue of largest magnitude, which is λ_max once training
/// has left the saddle-rich start (a negative value means the most curved direction is one of negative curvature).
/// </summary>
public static class PowerIteration
{
    public static EigenEstimate Top(Func<ParamVector, ParamVector> product, ParamVector start, int maxIterations = 20, double tolerance = 1e-3)
    {
        if (maxIterations < 1) throw new ArgumentOutOfRangeException(nameof(maxIterations), "at least one iteration");
        double startNorm = start.Norm();
        if (!(startNorm > 0) || !double.IsFinite(startNorm)) throw new ArgumentException("the start vector must be finite and non-zero");

        var v = Normalised(start, startNorm);
        double lambda = double.NaN;
        for (int iteration = 1; iteration <= maxIterations; iteration++)
        {
            using var hv = product(v);
            double previous = lambda;
            lambda = v.Dot(hv);
            double norm = hv.Norm();
            if (norm == 0) return new EigenEstimate([0.0], v, iteration, true); // v is in the null space: H = 0 there
            v.Dispose();
            v = Normalised(hv, lambda < 0 ? -norm : norm); // keep the sign so v converges rather than flipping
            if (Math.Abs(lambda - previous) <= tolerance * Math.Abs(lambda))
                return new EigenEstimate([lambda], v, iteration, true);
        }
        return new EigenEstimate([lambda], v, maxIterations, false);
    }

    private static ParamVector Normalised(ParamVector x, double norm)
    {
        using var _ = no_grad();
        return x.Like(x.Flat.div(norm));
    }
}
