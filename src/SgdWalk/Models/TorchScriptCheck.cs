using System.Runtime.InteropServices;
using SgdWalk.Landscape;
using SgdWalk.Platform;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// What must hold before a TorchScript model is walked, checked on a copy loaded for the purpose: the sidecar (if any)
/// agrees with the data; every parameter is float32 and trainable; one batch gives [N, classes] logits and a gradient;
/// BatchNorm follows train()/eval() (a traced module's does not: its mode is frozen at trace time); the forward pass is
/// deterministic in train mode (Dropout would make every loss evaluation a new random draw and let probes consume the
/// training's random numbers); and the float32 gradient agrees with float64 (<see cref="ConvolutionGuard"/>).
/// </summary>
public static class TorchScriptCheck
{
    private const int TrialBatch = 4;

    /// <summary>
    /// null when the model can be walked on data of <paramref name="spec"/>'s shape, otherwise the problem in one line.
    /// The model is also tried at the run's own sizes, <paramref name="trainBatch"/> (a training step: forward and
    /// backward) and <paramref name="evaluationChunk"/> (an evaluation pass, train and eval mode), because a forward pass
    /// can fail at one batch size and not at another; a failure there would otherwise come after the run folder exists.
    /// </summary>
    public static string? Problem(string path, ModelSpec spec, int trainBatch = TrialBatch, int evaluationChunk = TrialBatch)
    {
        ArgumentNullException.ThrowIfNull(spec);
        try
        {
            using var model = TorchScriptModel.Load(path);
            return SidecarProblem(model, spec) ?? ParameterProblem(model) ?? BehaviourProblem(model, spec)
                ?? SizeProblem(model, spec, trainBatch, evaluationChunk) ?? GradientProblem(model, spec);
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or InvalidCastException)
        {
            return $"{path} does not run on {spec.Channels}x{spec.Height}x{spec.Width} images: {TorchScriptRuntime.Reason(e)}";
        }
    }

    private static string? SidecarProblem(TorchScriptModel model, ModelSpec spec)
    {
        if (model.Sidecar is not { } sidecar) return null;
        string file = TorchScriptSidecar.PathFor(model.Path);
        if (sidecar.Method == "trace")
            return $"{file}: the model was traced (torch.jit.trace), which freezes BatchNorm's mode and Python control flow; " +
                "save it with torch.jit.script (sgdwalk.save_model does by default)";
        if (sidecar.InputShape is { } shape)
        {
            int[] expected = shape.Count == 2 ? [1, shape[0], shape[1]] : [.. shape];
            if (expected[0] != spec.Channels || expected[1] != spec.Height || expected[2] != spec.Width)
                return $"{file}: the model takes {string.Join("x", expected)} images; the dataset has {spec.Channels}x{spec.Height}x{spec.Width}";
        }
        if (sidecar.Classes is { } classes && classes != spec.Classes)
            return $"{file}: the model has {classes} classes; the dataset has {spec.Classes}";
        return null;
    }

    private static string? ParameterProblem(TorchScriptModel model)
    {
        var parameters = model.named_parameters().ToList();
        if (parameters.Count == 0) return $"{model.Path}: the model has no parameters to train";
        foreach (var (name, p) in parameters)
        {
            if (p.dtype != ScalarType.Float32)
                return $"{model.Path}: parameter '{name}' is {p.dtype}; SgdWalk trains float32 parameters (call model.float() before saving)";
            if (!p.requires_grad)
                return $"{model.Path}: parameter '{name}' does not require grad; SgdWalk walks every parameter " +
                    "(make frozen weights buffers with register_buffer)";
            if (!p.is_contiguous())
                return $"{model.Path}: parameter '{name}' is not contiguous in memory (a model converted to channels_last?); " +
                    "SgdWalk reads and writes parameters as flat vectors (call model.to(memory_format=torch.contiguous_format) before saving)";
        }
        return null;
    }

    /// <summary>
    /// One training step's forward and backward at the run's batch size (with <c>allow_unused</c>: libtorch aborts the
    /// process on an unused input otherwise, so a parameter forward never touches is named here instead) and one
    /// evaluation pass at the run's chunk size in train and eval mode. Parameters, buffers and the generator are left as they were.
    /// </summary>
    private static string? SizeProblem(TorchScriptModel model, ModelSpec spec, int trainBatch, int evaluationChunk)
    {
        using var scope = NewDisposeScope();
        using var state = ModelState.Capture(model);
        var generator = Generator.Default;
        using var rng = generator.get_state();
        string stage = $"a training batch of {trainBatch}";
        try
        {
            model.train();
            var parameters = model.named_parameters().ToList();
            var logits = model.call(zeros([trainBatch, spec.Channels, spec.Height, spec.Width]));
            if (logits.shape.Length != 2 || logits.shape[0] != trainBatch)
                return $"{model.Path}: gives outputs of shape [{string.Join(", ", logits.shape)}] on a training batch of {trainBatch}, not [{trainBatch}, {spec.Classes}]";
            var loss = nn.functional.cross_entropy(logits, zeros([trainBatch], ScalarType.Int64));
            var grads = autograd.grad([loss], parameters.Select(p => (Tensor)p.parameter).ToList(), allow_unused: true);
            for (int i = 0; i < grads.Count; i++)
                if (grads[i] is null || grads[i].IsInvalid) // an undefined gradient: forward never used the parameter
                    return $"{model.Path}: parameter '{parameters[i].name}' is not used by forward (no gradient reaches it); " +
                        "SgdWalk walks every parameter (remove it, or make it a buffer with register_buffer)";
            using (no_grad())
            {
                // Evaluation passes (epoch evaluation, and profile points in the training batch's chunks) in both modes.
                foreach (int chunk in new[] { evaluationChunk, trainBatch }.Distinct())
                {
                    stage = $"an evaluation chunk of {chunk}";
                    var images = zeros([chunk, spec.Channels, spec.Height, spec.Width]);
                    model.train();
                    model.call(images);
                    model.eval();
                    model.call(images);
                }
            }
            return null;
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or InvalidCastException)
        {
            return $"{model.Path} fails on {stage} of {spec.Channels}x{spec.Height}x{spec.Width} images: {TorchScriptRuntime.Reason(e)}";
        }
        finally
        {
            state.Restore();
            generator.set_state(rng);
        }
    }

    private static string? BehaviourProblem(TorchScriptModel model, ModelSpec spec)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(20261130);
        var images = randn([TrialBatch, spec.Channels, spec.Height, spec.Width], generator: generator);
        using var state = ModelState.Capture(model);
        using var _ = no_grad();
        model.train();
        var train = model.call(images);
        if (train.shape.Length != 2 || train.shape[0] != TrialBatch || train.shape[1] != spec.Classes)
            return $"{model.Path}: gives outputs of shape [{string.Join(", ", train.shape)}] on {TrialBatch} images of " +
                $"{spec.Channels}x{spec.Height}x{spec.Width}, not [{TrialBatch}, {spec.Classes}]";
        if (train.dtype != ScalarType.Float32)
            return $"{model.Path}: gives {train.dtype} outputs; SgdWalk expects float32 logits";
        if (!Same(model.call(images), train))
            return $"{model.Path}: two forward passes of the same batch in train mode differ (Dropout or other randomness?); " +
                "SgdWalk needs a deterministic model to measure losses (remove Dropout or give it p = 0)";
        bool hasBatchNorm = model.named_buffers().Any(b => b.name.EndsWith("running_mean", StringComparison.Ordinal));
        model.eval();
        var eval = model.call(images);
        // Randomness that appears only in eval mode would make every profile point under --bn running a new draw.
        bool evalRandom = !Same(model.call(images), eval);
        state.Restore();
        if (evalRandom)
            return $"{model.Path}: two forward passes of the same batch in eval mode differ (randomness outside training?); " +
                "SgdWalk needs a deterministic model to measure losses";
        if (hasBatchNorm && Same(eval, train))
            return $"{model.Path}: its BatchNorm gives the same outputs in train() and eval() mode, as in a traced module " +
                "(torch.jit.trace freezes the mode it was traced in); save the model with torch.jit.script";
        return null;
    }

    /// <summary>
    /// Whether two forward passes of one batch agree up to floating-point reduction order: libtorch does not promise
    /// bit-identical convolutions under varying thread scheduling (differences of order 1e-7 relative), while Dropout or
    /// noise changes outputs by a large fraction of their size.
    /// </summary>
    internal static bool Same(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        if (!a.shape.SequenceEqual(b.shape)) return false;
        double scale = Math.Max(1.0, a.abs().max().item<float>());
        double difference = (a - b).abs().max().item<float>();
        return difference <= SameTolerance * scale;
    }

    /// <summary>Largest difference, relative to the outputs' size (at least 1), taken as reduction order (float32 rounding of
    /// a reordered sum is about 1e-7 relative; Dropout or noise gives 1e-2 and more).</summary>
    internal const double SameTolerance = 1e-5;

    private static string? GradientProblem(TorchScriptModel model, ModelSpec spec)
    {
        using var model64 = TorchScriptModel.Load(model.Path, ScalarType.Float64);
        return ModelGradientCheck.Problem(model, model64, spec) is { } problem ? $"{model.Path}: {problem}" : null;
    }
}
