using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>Recognises a run that has blown up: a non-finite training loss or parameter, or a loss exploded far beyond its start.</summary>
public static class Divergence
{
    /// <summary>A finite loss counts as diverged beyond this multiple of max(1, the loss at step 0): SGD that has left
    /// every basin grows its loss by orders of magnitude per step (an lr of 1e3 reaches 1e25), while a healthy run,
    /// even an unstable one at the edge of stability, stays within a few times its start.</summary>
    public const double ExplosionFactor = 1e6;

    /// <summary>Null while everything is finite; otherwise one line naming the step and the offending quantity.</summary>
    public static string? Check(int step, double loss, IReadOnlyList<Parameter> parameters, IReadOnlyList<string> names) =>
        Check(step, loss, double.NaN, parameters, names);

    /// <summary>As above, and also when the loss exceeds <see cref="ExplosionFactor"/> × max(1, <paramref name="initialLoss"/>)
    /// (not tested while the initial loss is unknown, NaN).</summary>
    public static string? Check(int step, double loss, double initialLoss, IReadOnlyList<Parameter> parameters, IReadOnlyList<string> names)
    {
        if (!double.IsFinite(loss))
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"diverged at step {step}: training loss is {loss}");
        if (double.IsFinite(initialLoss) && loss > ExplosionFactor * Math.Max(1, initialLoss))
            return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"diverged at step {step}: training loss {loss:G4} exceeds 1e6 × max(1, the initial loss {initialLoss:G4})");
        using var scope = NewDisposeScope();
        // One reduction and one host sync per step; the per-parameter search runs only once something is wrong.
        if (stack(parameters.Select(p => p.isfinite().all()).ToArray()).all().item<bool>()) return null;
        for (int i = 0; i < parameters.Count; i++)
        {
            using var finite = parameters[i].isfinite();
            long bad = finite.logical_not().sum().item<long>();
            if (bad > 0)
            {
                string kind = parameters[i].isnan().any().item<bool>() ? "NaN" : "infinite";
                return $"diverged at step {step}: parameter '{names[i]}' has {bad} {kind} value(s) after the update";
            }
        }
        return null;
    }
}
