using SgdWalk.Landscape;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// The recorder's per-step vectors θ_t, θ_{t+1}, g_t, u_t, with what the cheap probes keep across steps (θ_0,
/// g_{t−1}, u_{t−1}), in buffers allocated once and reused: the two θ buffers, the two g buffers and the two u buffers
/// take turns. The inner products every step needs (‖g_t‖², g_{t−1}·g_t, ‖u_t‖², u_{t−1}·u_t, ‖θ_t − θ_0‖²) are read
/// in two fused passes (<see cref="StepPass"/>), one as g_t is copied, one as θ_{t+1} is copied and u_t formed; a model
/// that is not float32 on the CPU takes the same steps through libtorch. The cosines take the gradient as g_t + λθ_t
/// when <c>weightDecay</c> λ &gt; 0 (the authors' convention).
/// With a known update rule (<see cref="IKnownUpdate"/>, only per-step probes) no θ is copied at all: the optimiser's
/// step is taken in one pass of the recorder's (<see cref="StepPass.KnownUpdate"/>) that reads g_t, θ_t, θ_0 and the
/// momentum buffers, writes θ_{t+1} and the momentum buffers as the optimiser would, and g_t and u_t over g_{t−1} and
/// u_{t−1}: the optimiser's trip through memory and the recorder's are one.
/// </summary>
internal sealed class StepVectors : IDisposable
{
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly float weightDecay;
    private readonly bool fused;
    private readonly IKnownUpdate? known;
    private readonly (int Part, long Start, int Count)[] blocks;
    private readonly long[] offsets;
    private readonly int? workers;
    // The known rule's step, read by its block body: addresses per part (gradient, θ, momentum buffer; 0 = none) and of
    // the recorder's buffers, set once per step; the arrays and the body are allocated once.
    private readonly nint[] gradientAt, thetaAt, bufferAt, nextBufferAt;
    private nint originAt, cosineAt, updateAt;
    private UpdateRule form;
    private readonly Action<int, Span<double>> knownBlock;
    private readonly KnownStep takeStep;
    private ParamVector? before, after, gradient, previousGradient, update, previousUpdate, decayed, previousDecayed, initial;
    private bool afterIsCurrent, hasPrevious;
    private double cosineNorm, previousCosineNorm, previousUpdateNorm;

    /// <param name="known">The optimiser's rule, when u_t is to be formed from it (used only for float32 CPU parameters).</param>
    /// <param name="workers">Threads the known rule's pass runs on; null: torch's thread count at each step. Any number
    /// gives the same bits (the blocks and the order their sums are added in do not depend on it).</param>
    public StepVectors(IReadOnlyList<Parameter> parameters, double weightDecay, IKnownUpdate? known = null, int? workers = null)
    {
        this.parameters = parameters;
        this.weightDecay = (float)weightDecay;
        fused = StepPass.Supports(parameters);
        this.known = fused ? known : null;
        var lengths = parameters.Select(p => p.numel()).ToArray();
        blocks = StepPass.Blocks(lengths);
        offsets = new long[lengths.Length + 1];
        for (int i = 0; i < lengths.Length; i++) offsets[i + 1] = offsets[i] + lengths[i];
        this.workers = workers;
        (gradientAt, thetaAt, bufferAt, nextBufferAt) = (new nint[parameters.Count], new nint[parameters.Count], new nint[parameters.Count], new nint[parameters.Count]);
        knownBlock = KnownBlock;
        takeStep = TakeStep;
    }

    /// <summary>Parameter-sized buffers allocated so far (constant after the first step).</summary>
    public int Allocations { get; private set; }

    /// <summary>Whether u_t is formed from the optimiser's rule (no θ_t, θ_{t+1}, g_t or u_t kept for the probes).</summary>
    public bool FromOptimiser => known is not null;

    public ParamVector Before => Kept(before);
    public ParamVector After => Kept(after);
    public ParamVector Gradient => Kept(gradient);
    public ParamVector Update => Kept(update);

    private ParamVector Kept(ParamVector? vector) => known is null ? vector! :
        throw new InvalidOperationException("the step vectors are not kept when u_t is formed from the optimiser (a walk with per-step probes only)");

    public double GradientNorm { get; private set; }
    public double UpdateNorm { get; private set; }
    public double DistanceFromInit { get; private set; }
    /// <summary>cos(g_{t−1}, g_t) and cos(u_{t−1}, u_t); null on the first step.</summary>
    public double? CosineGradient { get; private set; }
    public double? CosineUpdate { get; private set; }

    private ParamVector Buffer(ref ParamVector? slot)
    {
        if (slot is null)
        {
            slot = ParamVector.OfValues(parameters);
            Allocations++;
        }
        return slot;
    }

    /// <summary>Before the forward pass: θ_t, taken from the last <see cref="End"/> when nothing has changed the parameters since.</summary>
    public void Begin(bool parametersUnchanged)
    {
        if (known is not null)
        {
            known.TakeNextStepWith(null); // nothing is copied (θ_t is read where it lives), and a step begun but never ended is not taken by its pass
            return;
        }
        if (parametersUnchanged && afterIsCurrent) (before, after) = (after, before);
        else Buffer(ref before).CopyFrom(parameters);
        afterIsCurrent = false;
    }

    /// <summary>After backward: copies g_t and reads ‖g_t‖ and g_{t−1}·g_t; with a known rule, offers the optimiser the pass that reads everything of the step (see the class).</summary>
    public void CaptureGradient()
    {
        if (known is not null)
        {
            known.TakeNextStepWith(takeStep); // the optimiser's next step runs TakeStep, which reads everything of the step
            return;
        }
        var g = Buffer(ref gradient);
        var previous = Buffer(ref previousGradient);
        ParamVector? d = null, previousD = null;
        if (weightDecay > 0) (d, previousD) = (Buffer(ref decayed), Buffer(ref previousDecayed));
        double squared, cosineSquared, cosineWithPrevious;
        var grads = parameters.Select(p => p.grad).ToArray();
        if (fused && StepPass.Supports(grads.OfType<Tensor>()))
        {
            // Addresses taken once per step, not per block.
            var source = grads.Select(t => t is null ? 0 : StepPass.Address(t)).ToArray();
            nint kept = StepPass.Address(g.Flat), theta = StepPass.Address(before!.Flat), decay = d is null ? 0 : StepPass.Address(d.Flat);
            nint last = StepPass.Address((previousD ?? previous).Flat);
            var sums = StepPass.Run(blocks, 2, (b, s) =>
            {
                var (part, start, count) = blocks[b];
                long at = (offsets[part] + start) * sizeof(float);
                nint from = source[part] == 0 ? 0 : source[part] + (nint)(start * sizeof(float));
                var (sq, wp) = StepPass.Gradient(from, kept + (nint)at, theta + (nint)at, decay == 0 ? 0 : decay + (nint)at, weightDecay, last + (nint)at, count);
                s[0] = sq;
                s[1] = wp;
            });
            (cosineSquared, cosineWithPrevious) = (sums[0], sums[1]);
            squared = d is null ? cosineSquared : SquaredNorm(g);
        }
        else
        {
            g.CopyFrom(parameters.Select(p => p.grad ?? zeros_like(p)).ToList());
            squared = g.Dot(g);
            if (d is not null)
            {
                using (no_grad()) d.Flat.copy_(g.Flat).add_(before!.Flat, weightDecay);
                cosineSquared = d.Dot(d);
                cosineWithPrevious = d.Dot(previousD!);
            }
            else (cosineSquared, cosineWithPrevious) = (squared, g.Dot(previous));
        }
        GradientNorm = Math.Sqrt(squared);
        cosineNorm = Math.Sqrt(cosineSquared);
        CosineGradient = hasPrevious ? ParamVector.Cosine(cosineWithPrevious, previousCosineNorm, cosineNorm) : null;
    }

    /// <summary>The known rule's single pass, called by the optimiser in place of its own step.</summary>
    private void TakeStep(double learningRate, IReadOnlyList<(Tensor? Read, Tensor? Write)> momentumBuffers)
    {
        var rule = known!;
        // The buffers that hold g_{t−1} (weight-decayed under the authors' convention) and u_{t−1} take g_t and u_t in place.
        var cosine = weightDecay > 0 ? Buffer(ref previousDecayed) : Buffer(ref previousGradient);
        var updates = Buffer(ref previousUpdate);
        if (initial is null)
        {
            // θ_0 is the parameters before the first observed step; kept for the whole run.
            initial = ParamVector.OfValues(parameters);
            Allocations++;
        }
        for (int i = 0; i < parameters.Count; i++)
        {
            // Addresses taken once per step, not per block.
            var grad = parameters[i].grad;
            var (read, write) = momentumBuffers[i];
            if (grad is not null && !StepPass.Supports(grad))
                throw new InvalidOperationException("taking the step in the recorder's pass needs float32 CPU gradients, as the parameters are");
            if (read is not null && !StepPass.Supports(read) || write is not null && !StepPass.Supports(write))
                throw new InvalidOperationException("taking the step in the recorder's pass needs float32 CPU momentum buffers, as the parameters are");
            gradientAt[i] = grad is null ? 0 : StepPass.Address(grad);
            thetaAt[i] = StepPass.Address(parameters[i]);
            bufferAt[i] = read is null ? 0 : StepPass.Address(read);
            nextBufferAt[i] = write is null ? 0 : StepPass.Address(write);
        }
        form = new UpdateRule((float)rule.WeightDecay, (float)rule.Momentum, rule.Momentum != 0, rule.Nesterov, (float)-learningRate, weightDecay);
        (originAt, cosineAt, updateAt) = (StepPass.Address(initial.Flat), StepPass.Address(cosine.Flat), StepPass.Address(updates.Flat));
        var sums = StepPass.Run(blocks, 6, knownBlock, workers ?? get_num_threads());
        GradientNorm = Math.Sqrt(sums[0]);
        cosineNorm = Math.Sqrt(sums[1]);
        CosineGradient = hasPrevious ? ParamVector.Cosine(sums[2], previousCosineNorm, cosineNorm) : null;
        UpdateNorm = Math.Sqrt(sums[3]);
        CosineUpdate = hasPrevious ? ParamVector.Cosine(sums[4], previousUpdateNorm, UpdateNorm) : null;
        DistanceFromInit = Math.Sqrt(sums[5]);
    }

    /// <summary>One block of the known rule's pass, on the addresses <see cref="TakeStep"/> set for this step.</summary>
    private void KnownBlock(int b, Span<double> sums)
    {
        var (part, start, count) = blocks[b];
        nint at = (nint)((offsets[part] + start) * sizeof(float)), within = (nint)(start * sizeof(float));
        var block = new UpdateBlock
        {
            Gradient = gradientAt[part] == 0 ? 0 : gradientAt[part] + within,
            Theta = thetaAt[part] + within,
            Initial = originAt + at,
            Cosine = cosineAt + at,
            Update = updateAt + at,
            Buffer = bufferAt[part] == 0 ? 0 : bufferAt[part] + within,
            NextBuffer = nextBufferAt[part] == 0 ? 0 : nextBufferAt[part] + within,
            Count = count,
        };
        StepPass.KnownUpdate(block, form, sums);
    }

    /// <summary>After the optimiser step: copies θ_{t+1}, forms u_t = θ_{t+1} − θ_t, reads ‖u_t‖, u_{t−1}·u_t and ‖θ_t − θ_0‖.</summary>
    public void End()
    {
        if (known is not null)
        {
            known.TakeNextStepWith(null); // read in the step's pass; if the optimiser did not step, it must not run later
            return;
        }
        var a = Buffer(ref after);
        var u = Buffer(ref update);
        var previous = Buffer(ref previousUpdate);
        if (initial is null)
        {
            // θ_0 is the parameters before the first observed step; kept for the whole run.
            initial = before!.Clone();
            Allocations++;
        }
        double squared, withPrevious, fromInitial;
        if (fused)
        {
            var source = parameters.Select(p => StepPass.Address(p)).ToArray();
            nint from = StepPass.Address(before!.Flat), to = StepPass.Address(a.Flat), difference = StepPass.Address(u.Flat);
            nint last = StepPass.Address(previous.Flat), origin = StepPass.Address(initial.Flat);
            var sums = StepPass.Run(blocks, 3, (b, s) =>
            {
                var (part, start, count) = blocks[b];
                var at = (nint)((offsets[part] + start) * sizeof(float));
                var (sq, wp, fi) = StepPass.Update(source[part] + (nint)(start * sizeof(float)), from + at, to + at, difference + at, last + at, origin + at, count);
                s[0] = sq;
                s[1] = wp;
                s[2] = fi;
            });
            (squared, withPrevious, fromInitial) = (sums[0], sums[1], sums[2]);
        }
        else
        {
            a.CopyFrom(parameters);
            using (no_grad()) u.Flat.copy_(a.Flat).sub_(before!.Flat);
            squared = u.Dot(u);
            withPrevious = u.Dot(previous);
            double distance = ParamVector.Distance(before!, initial);
            fromInitial = distance * distance;
        }
        afterIsCurrent = true;
        UpdateNorm = Math.Sqrt(squared);
        DistanceFromInit = Math.Sqrt(fromInitial);
        CosineUpdate = hasPrevious ? ParamVector.Cosine(withPrevious, previousUpdateNorm, UpdateNorm) : null;
    }

    /// <summary>After the probes: g_t and u_t become g_{t−1} and u_{t−1}.</summary>
    public void Advance()
    {
        if (known is not null)
        {
            // g_t and u_t were written over g_{t−1} and u_{t−1}: they are the next step's previous ones already.
            (previousCosineNorm, previousUpdateNorm) = (cosineNorm, UpdateNorm);
            hasPrevious = true;
            return;
        }
        (gradient, previousGradient) = (previousGradient, gradient);
        (update, previousUpdate) = (previousUpdate, update);
        (decayed, previousDecayed) = (previousDecayed, decayed);
        (previousCosineNorm, previousUpdateNorm) = (cosineNorm, UpdateNorm);
        hasPrevious = true;
    }

    /// <summary>The parameters were replaced (a checkpoint restored): θ_t is copied again at the next step.</summary>
    public void ParametersReplaced() => afterIsCurrent = false;

    /// <summary>θ_0, and g_{t−1} (weight-decayed under the authors' convention) and u_{t−1} once a step has been observed.</summary>
    public IEnumerable<(string Name, Tensor Value)> InitialState()
    {
        if (initial is not null) yield return ("theta_0", initial.Flat);
    }

    public IEnumerable<(string Name, Tensor Value)> CosineState()
    {
        if (!hasPrevious) yield break;
        yield return ("previous_gradient", (weightDecay > 0 ? previousDecayed : previousGradient)!.Flat);
        yield return ("previous_update", previousUpdate!.Flat);
    }

    public void LoadInitial(IReadOnlyDictionary<string, Tensor> state)
    {
        initial?.Dispose();
        initial = state.TryGetValue("theta_0", out var saved) ? ProbeState.Restore(saved, parameters) : null;
    }

    public void LoadCosine(IReadOnlyDictionary<string, Tensor> state)
    {
        hasPrevious = state.TryGetValue("previous_gradient", out var g) & state.TryGetValue("previous_update", out var u);
        if (!hasPrevious) return;
        using (var restored = ProbeState.Restore(g!, parameters))
        {
            var target = weightDecay > 0 ? Buffer(ref previousDecayed) : Buffer(ref previousGradient);
            using (no_grad()) target.Flat.copy_(restored.Flat);
            previousCosineNorm = Math.Sqrt(SquaredNorm(target));
        }
        using (var restored = ProbeState.Restore(u!, parameters))
        {
            var target = Buffer(ref previousUpdate);
            using (no_grad()) target.Flat.copy_(restored.Flat);
            previousUpdateNorm = Math.Sqrt(SquaredNorm(target));
        }
    }

    /// <summary>v·v summed as the passes sum it, so a restored g_{t−1} or u_{t−1} has the norm the uninterrupted run carried.</summary>
    private double SquaredNorm(ParamVector v)
    {
        if (!fused) return v.Dot(v);
        nint flat = StepPass.Address(v.Flat);
        return StepPass.Run(blocks, 1, (b, s) =>
        {
            var (part, start, count) = blocks[b];
            s[0] = StepPass.SquaredNorm(flat + (nint)((offsets[part] + start) * sizeof(float)), count);
        })[0];
    }

    public void Dispose()
    {
        known?.TakeNextStepWith(null);
        foreach (var v in new[] { before, after, gradient, previousGradient, update, previousUpdate, decayed, previousDecayed, initial }) v?.Dispose();
    }
}
