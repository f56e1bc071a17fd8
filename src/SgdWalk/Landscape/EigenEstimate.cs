namespace SgdWalk.Landscape;

/// <summary>How the top Hessian eigenvalues are found (`--eigen`).</summary>
public enum EigenMethod
{
    /// <summary>Power iteration: the eigenvalue of largest magnitude, one product per iteration (the authors' method).</summary>
    Power,

    /// <summary>Lanczos with full reorthogonalisation: the k algebraically largest eigenvalues from one Krylov space.</summary>
    Lanczos,
}

/// <summary>
/// Top eigenvalues (largest first) of a symmetric operator, the eigenvector of the first (owned: dispose it, or keep
/// it to warm-start the next estimate), the products spent and whether the tolerance was met within the cap.
/// </summary>
public sealed record EigenEstimate(IReadOnlyList<double> Values, ParamVector Vector, int Iterations, bool Converged) : IDisposable
{
    public double Top => Values[0];

    public void Dispose() => Vector.Dispose();
}

/// <summary>
/// The top eigenvalues (largest first) of a symmetric operator and their orthonormal eigenvectors (owned: dispose the
/// space), the products spent and whether every value met the tolerance within the cap.
/// </summary>
public sealed record EigenSpace(IReadOnlyList<double> Values, IReadOnlyList<ParamVector> Vectors, int Iterations, bool Converged) : IDisposable
{
    /// <summary>‖V_kᵀ g‖² / ‖g‖²: the share of g's squared norm inside the space (NaN for g = 0).</summary>
    public double EnergyFraction(ParamVector g)
    {
        double squaredNorm = g.Dot(g);
        if (!(squaredNorm > 0)) return double.NaN;
        return Vectors.Sum(v => { double c = v.Dot(g); return c * c; }) / squaredNorm;
    }

    public void Dispose()
    {
        foreach (var v in Vectors) v.Dispose();
    }
}
