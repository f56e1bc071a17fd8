using SgdWalk.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// What the probes see of one optimiser step t (definitions in docs/metrics.md): θ_t (<see cref="Before"/>),
/// θ_{t+1} (<see cref="After"/>), u_t = θ_{t+1} − θ_t (<see cref="Update"/>, weight decay and momentum included),
/// g_t = ∇L_{B_t}(θ_t) without weight decay (<see cref="Gradient"/>), and the mini-batch B_t exactly as the step saw it.
/// The recorder owns every tensor here; a probe that keeps one past the step copies it, or takes g_t or u_t over
/// with <see cref="KeepGradient"/> / <see cref="KeepUpdate"/>.
/// </summary>
public sealed class StepContext
{
    public required int Step { get; init; }

    public required int Epoch { get; init; }

    public required double LearningRate { get; init; }

    public required double TrainLoss { get; init; }

    public required ParamVector Before { get; init; }

    public required ParamVector After { get; init; }

    public required ParamVector Update { get; init; }

    public required ParamVector Gradient { get; init; }

    /// <summary>‖g_t‖, computed once for every probe that needs it.</summary>
    public double GradientNorm => gradientNorm ??= Gradient.Norm();

    /// <summary>‖u_t‖, computed once for every probe that needs it.</summary>
    public double UpdateNorm => updateNorm ??= Update.Norm();

    private double? gradientNorm, updateNorm;

    /// <summary>
    /// g_t for a probe to keep past this step: the caller owns and disposes it and must not change it (later probes of
    /// this step still read <see cref="Gradient"/>). The first caller takes the recorder's own vector, saving a copy
    /// per step; any later caller gets a copy.
    /// </summary>
    public ParamVector KeepGradient()
    {
        if (GradientKept) return Gradient.Clone();
        GradientKept = true;
        return Gradient;
    }

    /// <summary>u_t for a probe to keep past this step, on the terms of <see cref="KeepGradient"/>.</summary>
    public ParamVector KeepUpdate()
    {
        if (UpdateKept) return Update.Clone();
        UpdateKept = true;
        return Update;
    }

    /// <summary>Whether a probe took g_t over (then the recorder must not dispose it).</summary>
    internal bool GradientKept { get; private set; }

    /// <summary>Whether a probe took u_t over.</summary>
    internal bool UpdateKept { get; private set; }

    /// <summary>BatchNorm buffers at θ_t (before step t's forward pass updated them) and at θ_{t+1}; captured under
    /// the running BatchNorm policy when a probe evaluates the model, null otherwise.</summary>
    public ModelState? StateBefore { get; init; }

    public ModelState? StateAfter { get; init; }

    public required DataView Batch { get; init; }

    public required nn.Module<Tensor, Tensor> Model { get; init; }

    public required IReadOnlyList<Parameter> Parameters { get; init; }

    public Segment Segment => new(Before, After, Update, StateBefore, StateAfter);

    /// <summary>
    /// Puts θ_t and its BatchNorm buffers back into the model until disposed, then θ_{t+1} and its buffers (bit for
    /// bit): probes run after the update, but quantities of step t such as its sharpness belong to the point the step
    /// started from, and under the running policy that point's loss uses its own running statistics.
    /// </summary>
    public IDisposable AtStart()
    {
        Before.WriteTo(Parameters);
        StateBefore?.Restore();
        return new Rewind(this);
    }

    private sealed class Rewind(StepContext step) : IDisposable
    {
        public void Dispose()
        {
            step.After.WriteTo(step.Parameters);
            step.StateAfter?.Restore();
        }
    }
}
