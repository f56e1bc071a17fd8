using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// An optimiser whose step a <see cref="WalkRecorder"/> can form itself, element for element as the optimiser rounds it:
/// SGD as PyTorch defines it (<see cref="Training.SgdOptimizer"/>). Given one, a recorder whose probes read only the
/// per-step scalars (the cheap preset) takes u_t = θ_{t+1} − θ_t from this rule in the one pass that reads g_t, instead
/// of copying θ_t and θ_{t+1} every step.
/// </summary>
public interface IKnownUpdate
{
    /// <summary>The parameters it steps, in the recorder's order.</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    double WeightDecay { get; }

    double Momentum { get; }

    bool Nesterov { get; }

    /// <summary>False when a step draws something the recorder cannot see (gradient noise): the recorder then copies θ_{t+1}.</summary>
    bool Reproducible { get; }

    /// <summary>The momentum buffer of parameter <paramref name="index"/> as the next step will read it; null before its first step.</summary>
    Tensor? MomentumBuffer(int index);

    /// <summary>Steps taken so far, and the learning rate of the last (the recorder checks one step per recorded step).</summary>
    long Steps { get; }

    double LastLearningRate { get; }
}
