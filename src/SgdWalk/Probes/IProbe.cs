using SgdWalk.Records;

namespace SgdWalk.Probes;

/// <summary>
/// One diagnostic. It owns the state it keeps across steps, declares the steps.csv columns it fills, and decides
/// with its schedule whether to measure a step. Probes must not change the model: whatever they move, they put back.
/// </summary>
public interface IProbe : IDisposable
{
    string Name { get; }

    IReadOnlyList<string> Columns { get; }

    /// <summary>True when this probe measures the given step (lets the recorder skip captures nobody needs).</summary>
    bool Wants(int step, int epoch);

    /// <summary>True when this probe needs BatchNorm buffers at both ends of a step it measures.</summary>
    bool NeedsModelStates => false;

    void Observe(StepContext step, RowValues row, IProfileSink profiles);
}

/// <summary>Receives the sampled points of segment profiles (profiles.csv).</summary>
public interface IProfileSink
{
    void Add(int step, string view, double alpha, double loss, double accuracy);
}
