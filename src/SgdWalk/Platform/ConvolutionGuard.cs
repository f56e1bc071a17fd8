using System.Globalization;
using static TorchSharp.torch;

namespace SgdWalk.Platform;

/// <summary>How oneDNN convolutions are chosen: <c>SGDWALK_ONEDNN=auto</c> (the default), <c>on</c> or <c>off</c>.</summary>
public enum OneDnnSetting
{
    Auto,
    On,
    Off,
}

/// <summary>What the process decided about oneDNN convolutions, and why (run.json records both).</summary>
public sealed record ConvolutionDecision(bool OneDnn, string Reason)
{
    public string Setting => OneDnn ? "on" : "off";
}

/// <summary>
/// libtorch 2.10's oneDNN (mkldnn) convolution computes wrong float32 input gradients on some CPUs (seen on one AVX-512
/// machine, right on another AMD EPYC with AVX-512) when a convolution has fewer than 16 output channels and the batch
/// holds more than one sample: relative errors of 10–100 %, sometimes NaN, while float64 is right. So the process
/// decides once, by measuring: the narrow convolutions' float32 input gradients with oneDNN are compared with float64
/// (about 2 ms); where they are right oneDNN stays on (it is 1.2–1.5x faster), where they are wrong libtorch's own
/// convolution is used instead, as PyTorch's <c>torch.backends.mkldnn.enabled = False</c> (TorchSharp has no binding; the
/// switch is called here directly). Then, before a run, <see cref="Check"/> compares the model's own float32 gradient with
/// float64 under the setting actually used; a wrong one under an automatic "on" switches oneDNN off and is checked
/// again, and a model that still meets a wrong convolution is refused instead of recorded.
/// </summary>
public static class ConvolutionGuard
{
    public const string EnvironmentVariable = "SGDWALK_ONEDNN";

    /// <summary>Largest relative difference between the float32 and the float64 gradient accepted (float32 rounding
    /// gives about 1e-6 on the zoo's models; the bug gives 1e-1).</summary>
    public const double Tolerance = 1e-3;

    /// <summary>
    /// The narrow convolutions (in → out channels, batch, tries) the start-up measurement tries: the bug's shapes. The bug
    /// is intermittent where it is live (measured on one AVX-512 machine, 50 tries each: 3→15 at batch 8 wrong 45 times,
    /// 4→8 at batch 8 11 times, 1→8 at batch 2 4 times), so each shape is tried several times and the first wrong
    /// gradient ends the measurement: five right 3→15 gradients by chance there has a probability of about 1e-5.
    /// </summary>
    private static readonly (long In, long Out, long Batch, int Tries)[] ProbeShapes = [(3, 15, 8, 5), (4, 8, 8, 3), (1, 8, 2, 2)];

    private static readonly Lock Gate = new();
    private static ConvolutionDecision? decision;
    private static OneDnnSetting setting;

    /// <summary>
    /// Decides once per process (idempotent; later calls return the first decision) and applies it. Throws
    /// <see cref="ArgumentException"/> for an unknown <c>SGDWALK_ONEDNN</c> value.
    /// </summary>
    public static ConvolutionDecision Configure()
    {
        lock (Gate)
        {
            if (decision is not null) return decision;
            setting = ParseSetting(Environment.GetEnvironmentVariable(EnvironmentVariable));
            _ = get_num_threads(); // loads libtorch the way TorchSharp does before the symbols are looked up
            bool available = MkldnnEnabled() is not null;
            decision = Decide(setting, available, () => MeasurementCache.Get(MeasurementCache.DefaultFile(), MeasurementCache.MachineKey(),
                () => NarrowGradientError(oneDnn: true)));
            if (available) LibTorchContext.Mkldnn = decision.OneDnn;
            return decision;
        }
    }

    /// <summary>The decision in force (deciding now if no one has yet).</summary>
    public static ConvolutionDecision Current => decision ?? Configure();

    public static OneDnnSetting ParseSetting(string? value) => (value ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "auto" => OneDnnSetting.Auto,
        "on" or "1" => OneDnnSetting.On,
        "off" or "0" => OneDnnSetting.Off,
        _ => throw new ArgumentException($"{EnvironmentVariable}='{value}': expected auto, on or off"),
    };

    /// <summary>
    /// The decision, given the setting, whether this libtorch has the switch, and the measured relative error of the
    /// narrow convolutions' float32 input gradients with oneDNN (asked for only under <see cref="OneDnnSetting.Auto"/>).
    /// </summary>
    public static ConvolutionDecision Decide(OneDnnSetting setting, bool switchAvailable, Func<double> narrowErrorWithOneDnn)
    {
        ArgumentNullException.ThrowIfNull(narrowErrorWithOneDnn);
        if (!switchAvailable) return new(false, "this libtorch has no oneDNN switch; the per-model gradient check decides");
        if (setting == OneDnnSetting.On) return new(true, $"{EnvironmentVariable}=on");
        if (setting == OneDnnSetting.Off) return new(false, $"{EnvironmentVariable}=off");
        double error = narrowErrorWithOneDnn();
        string measured = string.Create(CultureInfo.InvariantCulture, $"{error:0.##e+0}");
        return error <= Tolerance
            ? new(true, $"auto: narrow-convolution float32 gradients right with oneDNN on this CPU (relative error {measured})")
            : new(false, $"auto: narrow-convolution float32 gradients wrong with oneDNN on this CPU (relative error {measured}); libtorch's own convolution");
    }

    /// <summary>
    /// The model's gradient check under the setting in force: null when its float32 gradient agrees with float64, else one
    /// line. <paramref name="gradientError"/> measures the relative error under the current setting. When it is wrong with
    /// oneDNN chosen automatically, oneDNN is switched off for the process (the decision says so) and it is measured again.
    /// </summary>
    public static string? Check(Func<double> gradientError)
    {
        ArgumentNullException.ThrowIfNull(gradientError);
        var current = Current;
        double error = Worst(gradientError, current.OneDnn ? ModelTriesWithOneDnn : 1);
        if (!(error <= Tolerance) && current.OneDnn && setting == OneDnnSetting.Auto)
        {
            lock (Gate)
            {
                SetMkldnn(false);
                decision = new(false, string.Create(CultureInfo.InvariantCulture,
                    $"auto: the model's float32 gradient differed from float64 by {error:0.##e+0} with oneDNN; libtorch's own convolution"));
            }
            error = gradientError();
        }
        return Judge(error);
    }

    /// <summary>With oneDNN on, the model's gradient is measured this many times (the bug is intermittent; see <see cref="ProbeShapes"/>).</summary>
    private const int ModelTriesWithOneDnn = 3;

    private static double Worst(Func<double> measure, int tries)
    {
        double worst = 0;
        for (int t = 0; t < tries && worst <= Tolerance; t++)
        {
            double e = measure();
            worst = double.IsNaN(e) ? double.PositiveInfinity : Math.Max(worst, e);
        }
        return worst;
    }

    /// <summary>One line when a relative float32-vs-float64 gradient error means wrong numbers (null when it is rounding).</summary>
    public static string? Judge(double error)
    {
        if (error <= Tolerance) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"its float32 gradient differs from float64 by {error:0.###e+0} (relative; float32 rounding gives about 1e-6): this libtorch computes a convolution's gradient wrongly ") +
            $"(oneDNN is {Current.Setting}); refusing to record wrong numbers (use wider convolutions, at least 16 output channels, or {EnvironmentVariable}=off)";
    }

    /// <summary>Sets oneDNN convolutions on or off directly (tests force each condition with it; no decision is made).</summary>
    internal static void SetMkldnn(bool enabled)
    {
        _ = get_num_threads();
        LibTorchContext.Mkldnn = enabled;
    }

    /// <summary>For tests: puts a decision in force (the switch included), as made under <paramref name="under"/> (by default
    /// the setting <c>SGDWALK_ONEDNN</c> asks for).</summary>
    internal static void Restore(ConvolutionDecision kept, OneDnnSetting? under = null)
    {
        lock (Gate)
        {
            decision = kept;
            setting = under ?? ParseSetting(Environment.GetEnvironmentVariable(EnvironmentVariable));
            SetMkldnn(kept.OneDnn);
        }
    }

    /// <summary>Whether libtorch would use oneDNN for convolutions now; null when this libtorch lacks the switch.</summary>
    public static bool? MkldnnEnabled()
    {
        try { return LibTorchContext.Mkldnn; }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return null; }
    }

    /// <summary>
    /// The largest relative error ‖∂L/∂x in float32 − in float64‖ / ‖in float64‖ over the bug's narrow shapes (3x3
    /// convolution, padding 1, 8x8 inputs, seeded), with oneDNN on or off; NaN counts as infinitely wrong. Leaves the
    /// oneDNN switch as it found it.
    /// </summary>
    public static double NarrowGradientError(bool oneDnn)
    {
        bool? before = MkldnnEnabled();
        try
        {
            if (before is not null) LibTorchContext.Mkldnn = oneDnn;
            double worst = 0;
            foreach (var (i, o, b, tries) in ProbeShapes)
            {
                for (int t = 0; t < tries; t++)
                {
                    double e = InputGradientError(i, o, b);
                    worst = double.IsNaN(e) ? double.PositiveInfinity : Math.Max(worst, e);
                    if (!(worst <= Tolerance)) return worst;
                }
            }
            return worst;
        }
        finally
        {
            if (before is { } b) LibTorchContext.Mkldnn = b;
        }
    }

    /// <summary>‖∂L/∂x in float32 − in float64‖ / ‖in float64‖ for one 3x3 convolution (padding 1) on 8x8 inputs.</summary>
    public static double InputGradientError(long inChannels, long outChannels, long batch)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var weight = randn([outChannels, inChannels, 3, 3], ScalarType.Float64, generator: generator) * 0.3;
        var bias = randn([outChannels], ScalarType.Float64, generator: generator);
        var x = randn([batch, inChannels, 8, 8], ScalarType.Float64, generator: generator);
        var upstream = randn([batch, outChannels, 8, 8], ScalarType.Float64, generator: generator);
        Tensor Gradient(ScalarType type)
        {
            var input = x.to(type).requires_grad_(true);
            var output = nn.functional.conv2d(input, weight.to(type), bias.to(type), padding: [1, 1]);
            return autograd.grad([output], [input], [upstream.to(type)])[0].to(ScalarType.Float64);
        }
        var reference = Gradient(ScalarType.Float64);
        return ((Gradient(ScalarType.Float32) - reference).norm() / reference.norm()).item<double>();
    }
}
