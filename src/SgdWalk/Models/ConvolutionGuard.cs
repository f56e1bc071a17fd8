using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// libtorch 2.10's oneDNN (mkldnn) convolution computes wrong float32 input gradients on this kind of CPU (AVX-512)
/// when a convolution has fewer than 16 output channels and the batch holds more than one sample: relative errors of
/// 10–100 %, sometimes NaN, while float64 is right. A network whose narrow convolution is not its first layer then
/// trains on wrong gradients. The fix: libtorch's own convolution instead of oneDNN's, as PyTorch's
/// <c>torch.backends.mkldnn.enabled = False</c> (TorchSharp has no binding; the switch is called here directly). The
/// guard: before a run, the model's float32 gradient on one small batch is compared with its float64 gradient, so a
/// model that still meets a wrong convolution (another libtorch, another kernel) is refused instead of recorded.
/// </summary>
public static class ConvolutionGuard
{
    /// <summary>Largest relative difference between the float32 and the float64 gradient accepted (float32 rounding
    /// gives about 1e-6 on the zoo's models; the bug gives 1e-1).</summary>
    public const double Tolerance = 1e-3;

    private const int TrialBatch = 8;

    private static bool applied;

    /// <summary>Turns oneDNN convolutions off (idempotent, process-wide); false when this libtorch lacks the switch.</summary>
    public static bool ApplyFix()
    {
        if (applied) return true;
        _ = get_num_threads(); // loads libtorch the way TorchSharp does before the symbols are looked up
        try
        {
            SetUserEnabledMkldnn(GlobalContext(), false);
            applied = true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // The guard below still refuses any model whose gradients come out wrong.
        }
        return applied;
    }

    /// <summary>For tests that show the bug: oneDNN convolutions back on (true) or off again (false).</summary>
    internal static void SetMkldnn(bool enabled)
    {
        ApplyFix();
        SetUserEnabledMkldnn(GlobalContext(), enabled);
    }

    /// <summary>Whether libtorch would use oneDNN for convolutions (false after <see cref="ApplyFix"/>); null when unknown.</summary>
    public static bool? MkldnnEnabled()
    {
        try { return UserEnabledMkldnn(GlobalContext()); }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return null; }
    }

    /// <summary>
    /// Relative difference ‖g32 − g64‖ / ‖g64‖ of the gradients of the mean cross-entropy of <paramref name="model32"/> and
    /// <paramref name="model64"/> (the same network in float32 and float64; the float64 copy gets the float32 one's
    /// parameters and buffers) on one seeded batch of <see cref="TrialBatch"/> standard-normal images, in train mode.
    /// Leaves the global generator, the float32 model's buffers and its gradients as they were.
    /// </summary>
    public static double GradientError(nn.Module<Tensor, Tensor> model32, nn.Module<Tensor, Tensor> model64, ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(model32);
        ArgumentNullException.ThrowIfNull(model64);
        ArgumentNullException.ThrowIfNull(spec);
        using var scope = NewDisposeScope();
        using var state = Landscape.ModelState.Capture(model32);
        using (no_grad())
        {
            var target = model64.state_dict();
            foreach (var (name, value) in model32.state_dict()) target[name].copy_(value);
        }
        using var generator = new Generator(20261130);
        var images = randn([TrialBatch, spec.Channels, spec.Height, spec.Width], generator: generator);
        var labels = randint(spec.Classes, [TrialBatch], generator: generator);
        var g32 = Gradient(model32, images, labels);
        var g64 = Gradient(model64, images.to(ScalarType.Float64), labels);
        state.Restore();
        double reference = g64.norm().item<double>();
        double error = (g32.to(ScalarType.Float64) - g64).norm().item<double>();
        return reference > 0 ? error / reference : error;
    }

    /// <summary>One line when the model's float32 gradient is wrong (null when it is right).</summary>
    public static string? Problem(nn.Module<Tensor, Tensor> model32, nn.Module<Tensor, Tensor> model64, ModelSpec spec)
    {
        double error = GradientError(model32, model64, spec);
        if (error <= Tolerance) return null;
        return FormattableString.Invariant(
            $"its float32 gradient differs from float64 by {error:0.###e+0} (relative; float32 rounding gives about 1e-6): this libtorch computes a convolution's gradient wrongly ") +
            "(oneDNN with fewer than 16 output channels); refusing to record wrong numbers (use wider convolutions, at least 16 output channels)";
    }

    private static Tensor Gradient(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        model.train();
        var parameters = model.parameters().Cast<Tensor>().ToList();
        var loss = nn.functional.cross_entropy(model.call(images), labels);
        var grads = autograd.grad([loss], parameters);
        return cat(grads.Select(g => g.flatten()).ToList());
    }

    // at::globalContext() and at::Context::{set,}userEnabledMkldnn, exported by libtorch_cpu (x86-64 SysV: `this` first).
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledMkldnn(IntPtr context);
}
