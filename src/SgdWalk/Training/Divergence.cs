using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>Recognises a run that has blown up: a non-finite training loss or a non-finite value in any parameter.</summary>
public static class Divergence
{
    /// <summary>Null while everything is finite; otherwise one line naming the step and the offending quantity.</summary>
    public static string? Check(int step, double loss, IReadOnlyList<Parameter> parameters, IReadOnlyList<string> names)
    {
        if (!double.IsFinite(loss))
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"diverged at step {step}: training loss is {loss}");
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
