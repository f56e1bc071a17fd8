using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// An optimiser whose step a <see cref="WalkRecorder"/> can take itself, element for element as the optimiser rounds it:
/// SGD as PyTorch defines it (<see cref="Training.SgdOptimizer"/>). Given one, a recorder whose probes read only the
/// per-step scalars (the cheap preset) hands the optimiser a pass that writes θ_{t+1} and reads everything those
/// scalars need on the way (u_t = θ_{t+1} − θ_t among them), instead of copying θ_t and θ_{t+1} every step.
/// </summary>
public interface IKnownUpdate
{
    /// <summary>The parameters it steps, in the recorder's order.</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    double WeightDecay { get; }

    double Momentum { get; }

    bool Nesterov { get; }

    /// <summary>
    /// Whether a pass formed element by element takes exactly this optimiser's step: false when a step draws something
    /// the recorder cannot see (gradient noise), or when this machine's libtorch rounds the step differently from the
    /// pass (checked once per rule and process). The recorder then copies θ_t and θ_{t+1} and leaves the step alone.
    /// </summary>
    bool Reproducible { get; }

    /// <summary>
    /// Has the next step taken by <paramref name="step"/> instead of the optimiser's own kernels (null: by its own
    /// kernels again). The optimiser calls it once, with the step's learning rate and, per parameter, the momentum buffer
    /// to read (null: none yet) and the one to write (null without momentum), then counts the step.
    /// </summary>
    void TakeNextStepWith(KnownStep? step);

    /// <summary>Steps taken so far, and the learning rate of the last (the recorder checks one step per recorded step).</summary>
    long Steps { get; }

    double LastLearningRate { get; }
}

/// <summary>A step taken in someone else's pass (see <see cref="IKnownUpdate.TakeNextStepWith"/>).</summary>
public delegate void KnownStep(double learningRate, IReadOnlyList<(Tensor? Read, Tensor? Write)> momentumBuffers);
