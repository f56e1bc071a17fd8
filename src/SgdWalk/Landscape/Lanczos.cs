using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// Lanczos on a symmetric operator with full reorthogonalisation (each new basis vector is orthogonalised twice against
/// all previous ones, so rounding does not produce ghost copies of converged eigenvalues). After each product the
/// tridiagonal matrix is diagonalised; it stops when each of the top-k Ritz values has residual ‖Hy − θy‖ = β·|s_last|
/// below tolerance·|θ|, or at the iteration cap. Memory: one parameter-sized vector per iteration.
/// </summary>
public static class Lanczos
{
    public static EigenEstimate Top(Func<ParamVector, ParamVector> product, ParamVector start, int k = 1, int maxIterations = 30, double tolerance = 1e-3) =>
        Run(product, start, k, maxIterations, tolerance, (basis, ritz, n, found, converged) =>
            new EigenEstimate(ritz.Values.Take(found).ToArray(), RitzVector(basis, ritz.Vectors, n, 0), n, converged));

    /// <summary>
    /// The top-k Ritz pairs: values largest first and their orthonormal Ritz vectors (the estimate of V_k, the top-k
    /// eigenspace), from the same Krylov space as <see cref="Top"/>. Fewer than k when the operator's Krylov space is smaller.
    /// </summary>
    public static EigenSpace TopSpace(Func<ParamVector, ParamVector> product, ParamVector start, int k, int maxIterations = 30, double tolerance = 1e-3) =>
        Run(product, start, k, maxIterations, tolerance, (basis, ritz, n, found, converged) =>
            new EigenSpace(ritz.Values.Take(found).ToArray(), Enumerable.Range(0, found).Select(i => RitzVector(basis, ritz.Vectors, n, i)).ToArray(), n,
                converged));

    private static T Run<T>(Func<ParamVector, ParamVector> product, ParamVector start, int k, int maxIterations, double tolerance,
        Func<List<ParamVector>, (double[] Values, double[,] Vectors), int, int, bool, T> result)
    {
        if (k < 1 || maxIterations < k) throw new ArgumentOutOfRangeException(nameof(maxIterations), "need 1 <= k <= iterations");
        double startNorm = start.Norm();
        if (!(startNorm > 0) || !double.IsFinite(startNorm)) throw new ArgumentException("the start vector must be finite and non-zero");
        int cap = (int)Math.Min(maxIterations, start.Length);

        var basis = new List<ParamVector> { Scaled(start, 1 / startNorm) };
        var alphas = new List<double>();
        var betas = new List<double>();
        try
        {
            (double[] Values, double[,] Vectors) ritz = ([], new double[0, 0]);
            bool converged = false;
            for (int j = 0; j < cap; j++)
            {
                using var w = product(basis[j]);
                alphas.Add(basis[j].Dot(w));
                // Two rounds of Gram–Schmidt against the whole basis ("twice is enough") replace the three-term recurrence.
                for (int round = 0; round < 2; round++)
                    foreach (var q in basis) w.AddScaledInPlace(q, -q.Dot(w));
                double beta = w.Norm();
                ritz = Tridiagonal(alphas, betas);
                int n = alphas.Count;
                converged = n >= Math.Min(k, cap) && Enumerable.Range(0, Math.Min(k, n))
                    .All(i => beta * Math.Abs(ritz.Vectors[n - 1, i]) <= tolerance * Math.Max(Math.Abs(ritz.Values[i]), 1e-30));
                // β ≈ 0: the Krylov space is invariant, its Ritz values are exact eigenvalues.
                bool invariant = beta <= 1e-12 * Math.Max(1, Math.Abs(ritz.Values[0]));
                converged |= invariant;
                if (converged || j == cap - 1) break;
                betas.Add(beta);
                basis.Add(Scaled(w, 1 / beta));
            }
            return result(basis, ritz, alphas.Count, Math.Min(k, alphas.Count), converged);
        }
        finally
        {
            foreach (var q in basis) q.Dispose();
        }
    }

    /// <summary>Eigenvalues (largest first) and eigenvectors (columns, same order) of the symmetric tridiagonal matrix.</summary>
    private static (double[] Values, double[,] Vectors) Tridiagonal(List<double> alphas, List<double> betas)
    {
        using var scope = NewDisposeScope();
        int n = alphas.Count;
        var t = new double[n * n];
        for (int i = 0; i < n; i++) t[i * n + i] = alphas[i];
        for (int i = 0; i < n - 1; i++) t[i * n + i + 1] = t[(i + 1) * n + i] = betas[i];
        var (values, vectors) = linalg.eigh(tensor(t, [n, n], ScalarType.Float64));
        var ascending = values.data<double>().ToArray();
        var columns = vectors.data<double>().ToArray();
        var order = new double[n, n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
                order[r, c] = columns[r * n + (n - 1 - c)];
        return (ascending.Reverse().ToArray(), order);
    }

    /// <summary>y = Σ_j s_j q_j for the i-th Ritz pair, normalised (for the top pair: the warm start of the next estimate).</summary>
    private static ParamVector RitzVector(List<ParamVector> basis, double[,] vectors, int n, int i)
    {
        var y = Scaled(basis[0], vectors[0, i]);
        for (int j = 1; j < n; j++) y.AddScaledInPlace(basis[j], vectors[j, i]);
        double norm = y.Norm();
        if (norm > 0) { using var _ = no_grad(); y.Flat.div_(norm); }
        return y;
    }

    private static ParamVector Scaled(ParamVector x, double factor)
    {
        using var _ = no_grad();
        return x.Like(x.Flat.mul(factor));
    }
}
