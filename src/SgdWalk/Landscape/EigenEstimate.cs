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
