using SgdWalk.Records;

namespace SgdWalk.Probes;

/// <summary>
/// One diagnostic. It owns the state it keeps across steps, declares the steps.csv columns it fills, and names the
/// steps it measures; the recorder calls it on those steps only. Probes must not change the model: whatever they
/// move, they put back.
/// </summary>
public interface IProbe : IDisposable
{
    string Name { get; }

    /// <summary>The steps.csv columns this probe fills, in file order.</summary>
    IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The steps this probe measures (<see cref="RecordSchedule.All"/> for the per-step scalars).</summary>
    RecordSchedule Schedule { get; }

    /// <summary>
    /// True when the probe evaluates the model at the step's ends (a loss, a gradient, a Hessian): under the running
    /// BatchNorm policy the recorder then keeps the buffers of θ_t and θ_{t+1} for it.
    /// </summary>
    bool EvaluatesModel => false;

    /// <summary>
    /// False for a probe that reads only the recorder's per-step scalars (norms, distance, cosines), never the vectors
    /// θ_t, θ_{t+1}, g_t, u_t: when every probe is such, the recorder need not keep those vectors (<see cref="IKnownUpdate"/>).
    /// </summary>
    bool ReadsStepVectors => true;

    /// <summary>Measures step t: named values into <paramref name="row"/> (its <see cref="ColumnNames"/>), profile points into <see cref="StepContext.Profiles"/>.</summary>
    void Observe(StepContext step, RowValues row);
}
