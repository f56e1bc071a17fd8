using SgdWalk.Landscape;
using SgdWalk.Records;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// What the probes see of one optimiser step t (definitions in docs/metrics.md): θ_t (<see cref="Before"/>),
/// θ_{t+1} (<see cref="After"/>), u_t = θ_{t+1} − θ_t (<see cref="Update"/>, weight decay and momentum included),
/// g_t = ∇L_{B_t}(θ_t) without weight decay (<see cref="Gradient"/>), and the mini-batch B_t exactly as the step saw it.
/// The recorder owns every tensor here, in buffers it reuses from step to step; a probe that keeps one past the step
/// copies it (<see cref="KeepGradient"/>, <see cref="KeepUpdate"/>, <see cref="ParamVector.Clone"/>).
/// </summary>
public sealed class StepContext
{
    private readonly StepVectors vectors;

    /// <param name="vectors">Where <see cref="Before"/>, <see cref="After"/>, <see cref="Update"/> and <see cref="Gradient"/>
    /// live (read only by probes that need them: a walk whose probes read only the scalars does not keep them).</param>
    internal StepContext(StepVectors vectors) => this.vectors = vectors;

    public required int Step { get; init; }

    public required int Epoch { get; init; }

    public required double LearningRate { get; init; }

    public required double TrainLoss { get; init; }

    /// <summary>Where profile points go (profiles.csv): (step, view, α, loss, accuracy) rows.</summary>
    public required IProfileSink Profiles { get; init; }

    public ParamVector Before => vectors.Before;

    public ParamVector After => vectors.After;

    public ParamVector Update => vectors.Update;

    public ParamVector Gradient => vectors.Gradient;

    /// <summary>‖g_t‖, read by the recorder as it copied g_t (float32 products summed in float64).</summary>
    public required double GradientNorm { get; init; }

    /// <summary>‖u_t‖, read as the recorder formed u_t.</summary>
    public required double UpdateNorm { get; init; }

    /// <summary>‖θ_t − θ_0‖, θ_0 being the parameters before the recorder's first step.</summary>
    public required double DistanceFromInit { get; init; }

    /// <summary>cos(g_{t−1}, g_t) (g + λθ under the authors' convention); null on the first step.</summary>
    public double? CosineGradient { get; init; }

    /// <summary>cos(u_{t−1}, u_t); null on the first step.</summary>
    public double? CosineUpdate { get; init; }

    /// <summary>A copy of g_t for a probe to keep past this step (the caller owns and disposes it).</summary>
    public ParamVector KeepGradient() => Gradient.Clone();

    /// <summary>A copy of u_t for a probe to keep past this step.</summary>
    public ParamVector KeepUpdate() => Update.Clone();

    /// <summary>BatchNorm buffers at θ_t (before step t's forward pass updated them) and at θ_{t+1}; captured under
    /// the running BatchNorm policy when a probe evaluates the model, null otherwise.</summary>
    public ModelState? StateBefore { get; init; }

    public ModelState? StateAfter { get; init; }

    /// <summary>B_t as a view; only a probe that evaluates the model (<see cref="IProbe.EvaluatesModel"/>) may read it.</summary>
    public DataView Batch => BatchView ?? throw new InvalidOperationException(
        "the mini-batch view is built only when a scheduled probe evaluates the model (IProbe.EvaluatesModel)");

    /// <summary>B_t, or null on a step whose scheduled probes only read the scalars (the view costs two tensors a step).</summary>
    internal DataView? BatchView { get; init; }

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
