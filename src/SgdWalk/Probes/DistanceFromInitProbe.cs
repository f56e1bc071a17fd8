using SgdWalk.Landscape;
using SgdWalk.Records;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>‖θ_t − θ_0‖ on every step: how far SGD has travelled from its initialisation.</summary>
public sealed class DistanceFromInitProbe : IProbe, IStatefulProbe
{
    private ParamVector? initial;

    public string Name => "dist-init";

    public IReadOnlyList<string> ColumnNames { get; } = [Columns.DistanceFromInit];

    public RecordSchedule Schedule => RecordSchedule.All;

    public void Observe(StepContext step, RowValues row, IProfileSink profiles)
    {
        // θ_0 is the parameters before the first observed step; kept for the whole run.
        initial ??= step.Before.Clone();
        row.Set(Columns.DistanceFromInit, ParamVector.Distance(step.Before, initial));
    }

    public IEnumerable<(string Name, Tensor Value)> SaveState()
    {
        if (initial is not null) yield return ("theta_0", initial.Flat);
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> state, IReadOnlyList<Parameter> parameters)
    {
        initial?.Dispose();
        initial = state.TryGetValue("theta_0", out var saved) ? ProbeState.Restore(saved, parameters) : null;
    }

    public void Dispose() => initial?.Dispose();
}
