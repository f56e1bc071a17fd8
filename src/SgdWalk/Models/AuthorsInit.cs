using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// The authors' initialisation (walk_with_sgd models.py): every conv weight ~ N(0, 2 / (out·k·k)) (He, fan-out),
/// conv bias 0, BatchNorm γ = 1, β = 0. Linear layers keep the default (Kaiming-uniform) init.
/// </summary>
internal static class AuthorsInit
{
    /// <summary>
    /// Runs after the whole model is built, walking modules in registration order, as the authors' loop over
    /// <c>self.modules()</c> does; the draw order is therefore fixed and a seed gives bit-identical parameters.
    /// </summary>
    public static void Apply(nn.Module root)
    {
        using var _ = no_grad();
        // The in-place calls return tensor handles of their own: the scope frees them (the parameters are the modules').
        using var scope = NewDisposeScope();
        foreach (var (_, module) in root.named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    var w = conv.weight!;
                    long fanOut = w.shape[0] * w.shape[2] * w.shape[3]; // weight: [out, in, kh, kw]
                    w.normal_(0, Math.Sqrt(2.0 / fanOut));
                    conv.bias?.zero_();
                    break;
                case BatchNorm bn:
                    bn.weight!.fill_(1);
                    bn.bias!.zero_();
                    break;
            }
        }
    }
}
