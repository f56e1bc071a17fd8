using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// One fused pass over float32 parameter-sized vectors on the CPU: copies, differences and several inner products read
/// in the same loop, instead of one libtorch call (and one trip through memory) per operation. Products of two float32
/// values are exact in float64 and are summed in float64 over fixed blocks, the blocks' sums then in block order: the
/// result is the same bits whatever torch's thread count, and closer to the exact inner product than float32 BLAS.
/// Because each product is exact, adding it with a fused multiply-add gives the bits of a multiply then an add, in
/// half the floating-point work (the passes are bound by that work, not by memory, at 573k parameters).
/// The known rule's pass (<see cref="KnownUpdate"/>) runs its blocks on up to torch's thread count (<see cref="Run"/>);
/// the copying passes on one thread (a second measured no faster next to libtorch's own workers).
/// </summary>
internal static unsafe class StepPass
{
    private const int Block = 1 << 15;

    [DllImport("LibTorchSharp", EntryPoint = "THSTensor_data")]
    private static extern IntPtr DataPointer(IntPtr tensor);

    /// <summary>Whether every tensor is a contiguous float32 CPU tensor (what the pass reads and writes).</summary>
    public static bool Supports(IEnumerable<Tensor> tensors) => tensors.All(Supports);

    public static bool Supports(Tensor t) => t.dtype == ScalarType.Float32 && t.device_type == TorchSharp.DeviceType.CPU && t.is_contiguous();

    /// <summary>The address of the first element of a tensor <see cref="Supports(Tensor)"/> accepts.</summary>
    public static nint Address(Tensor t) => DataPointer(t.Handle);

    /// <summary>The element ranges [start, start + count) of each part, cut into blocks (the unit of parallel work and of summation).</summary>
    public static (int Part, long Start, int Count)[] Blocks(IReadOnlyList<long> partLengths)
    {
        var blocks = new List<(int, long, int)>();
        for (int part = 0; part < partLengths.Count; part++)
            for (long start = 0; start < partLengths[part]; start += Block)
                blocks.Add((part, start, (int)Math.Min(Block, partLengths[part] - start)));
        return [.. blocks];
    }

    /// <summary>
    /// Runs <paramref name="body"/> on every block, on up to <paramref name="workers"/> threads (the caller and
    /// thread-pool helpers, each taking the next block not yet taken), and sums the <paramref name="sums"/> values each
    /// block returns, block by block in order: the same bits whatever the number of workers and whichever thread ran a block.
    /// </summary>
    public static double[] Run((int Part, long Start, int Count)[] blocks, int sums, Action<int, Span<double>> body, int workers = 1)
    {
        var partial = new double[blocks.Length * sums];
        var work = new BlockWork(blocks.Length, sums, partial, body);
        // Helpers are queued, not waited for: one that starts after the caller has taken every block does nothing, so a
        // busy machine (a helper not scheduled for milliseconds) costs at most the single-threaded pass.
        for (int helper = 1; helper < Math.Min(workers, blocks.Length); helper++)
            ThreadPool.UnsafeQueueUserWorkItem(static w => w.Take(), work, preferLocal: false);
        work.Take();
        work.WaitForTaken();
        var total = new double[sums];
        for (int b = 0; b < blocks.Length; b++)
            for (int k = 0; k < sums; k++) total[k] += partial[b * sums + k];
        return total;
    }

    /// <summary>The blocks of one <see cref="Run"/>, taken one at a time by whichever thread asks next.</summary>
    private sealed class BlockWork(int count, int sums, double[] partial, Action<int, Span<double>> body)
    {
        private int next = -1, done;
        private ExceptionDispatchInfo? failure;

        public void Take()
        {
            for (int b; (b = Interlocked.Increment(ref next)) < count;)
            {
                try { body(b, partial.AsSpan(b * sums, sums)); }
                catch (Exception e) { Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null); }
                finally { Interlocked.Increment(ref done); }
            }
        }

        /// <summary>Waits for the blocks a helper took and has not finished (microseconds each), yielding rather than sleeping.</summary>
        public void WaitForTaken()
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref done) < count) spin.SpinOnce(sleep1Threshold: -1);
            failure?.Throw();
        }
    }

    /// <summary>
    /// The gradient's pass: <c>kept[i] = g[i]</c> and, when <paramref name="decayedAddress"/> is given,
    /// <c>decayed[i] = g[i] + λ·θ[i]</c>; returns (c·c, c·previous) for c = decayed ?? kept.
    /// </summary>
    /// <remarks>A zero <paramref name="gradient"/> address stands for a parameter without a gradient (zeros); a zero
    /// <paramref name="decayedAddress"/> for no weight decay.</remarks>
    public static (double Squared, double WithPrevious) Gradient(nint gradient, nint keptAddress, nint thetaAddress, nint decayedAddress, float lambda,
        nint previousAddress, int n)
    {
        float* kept = (float*)keptAddress, theta = (float*)thetaAddress, decayed = (float*)decayedAddress, previous = (float*)previousAddress;
        float* g = (float*)gradient;
        if (g == null)
        {
            new Span<float>(kept, n).Clear();
            g = kept;
        }
        var ss0 = Vector256<double>.Zero; var ss1 = ss0; var sp0 = ss0; var sp1 = ss0;
        var lam = Vector256.Create(lambda);
        int i = 0;
        for (; i <= n - 8; i += 8)
        {
            var vg = Vector256.Load(g + i);
            Vector256.Store(vg, kept + i);
            if (decayed != null)
            {
                vg += lam * Vector256.Load(theta + i);
                Vector256.Store(vg, decayed + i);
            }
            var (c0, c1) = Vector256.Widen(vg);
            var (p0, p1) = Vector256.Widen(Vector256.Load(previous + i));
            ss0 = Vector256.FusedMultiplyAdd(c0, c0, ss0); ss1 = Vector256.FusedMultiplyAdd(c1, c1, ss1);
            sp0 = Vector256.FusedMultiplyAdd(c0, p0, sp0); sp1 = Vector256.FusedMultiplyAdd(c1, p1, sp1);
        }
        double squared = Vector256.Sum(ss0 + ss1), withPrevious = Vector256.Sum(sp0 + sp1);
        for (; i < n; i++)
        {
            float c = g[i];
            kept[i] = c;
            if (decayed != null) decayed[i] = c = c + lambda * theta[i];
            squared += (double)c * c;
            withPrevious += (double)c * previous[i];
        }
        return (squared, withPrevious);
    }

    /// <summary>
    /// The update's pass: <c>after[i] = θ'[i]</c>, <c>u[i] = θ'[i] − θ[i]</c>; returns (u·u, u·previous, ‖θ − θ_0‖²).
    /// </summary>
    public static (double Squared, double WithPrevious, double FromInitial) Update(nint parameterAddress, nint beforeAddress, nint afterAddress,
        nint updateAddress, nint previousAddress, nint initialAddress, int n)
    {
        float* parameter = (float*)parameterAddress, before = (float*)beforeAddress, after = (float*)afterAddress, update = (float*)updateAddress;
        float* previous = (float*)previousAddress, initial = (float*)initialAddress;
        var uu0 = Vector256<double>.Zero; var uu1 = uu0; var up0 = uu0; var up1 = uu0; var dd0 = uu0; var dd1 = uu0;
        int i = 0;
        for (; i <= n - 8; i += 8)
        {
            var va = Vector256.Load(parameter + i);
            var vb = Vector256.Load(before + i);
            var vu = va - vb;
            Vector256.Store(va, after + i);
            Vector256.Store(vu, update + i);
            var (u0, u1) = Vector256.Widen(vu);
            var (p0, p1) = Vector256.Widen(Vector256.Load(previous + i));
            var (d0, d1) = Vector256.Widen(vb - Vector256.Load(initial + i));
            uu0 = Vector256.FusedMultiplyAdd(u0, u0, uu0); uu1 = Vector256.FusedMultiplyAdd(u1, u1, uu1);
            up0 = Vector256.FusedMultiplyAdd(u0, p0, up0); up1 = Vector256.FusedMultiplyAdd(u1, p1, up1);
            dd0 = Vector256.FusedMultiplyAdd(d0, d0, dd0); dd1 = Vector256.FusedMultiplyAdd(d1, d1, dd1);
        }
        double squared = Vector256.Sum(uu0 + uu1), withPrevious = Vector256.Sum(up0 + up1), fromInitial = Vector256.Sum(dd0 + dd1);
        for (; i < n; i++)
        {
            float a = parameter[i], b = before[i], u = a - b, d = b - initial[i];
            after[i] = a;
            update[i] = u;
            squared += (double)u * u;
            withPrevious += (double)u * previous[i];
            fromInitial += (double)d * d;
        }
        return (squared, withPrevious, fromInitial);
    }

    /// <summary>
    /// The optimiser's step taken in the pass, for a recorder that knows the update rule (<see cref="UpdateRule"/>):
    /// d = g + λθ, with momentum b = μb + d (b = d when there is none yet) and v = b, or v = d + μb for Nesterov,
    /// then θ' = θ − ηv and u = θ' − θ, each rounded to float32 as libtorch's own kernels round them on a CPU with a
    /// fused multiply-add (one rounding, as in its vectorised add with alpha; <see cref="Training.SgdOptimizer"/> checks
    /// that this machine's libtorch does). Reads g, θ, θ_0, b, c_{t−1} and u_{t−1}; writes θ' over θ, b to
    /// <see cref="UpdateBlock.NextBuffer"/>, c_t over c_{t−1} and u_t over u_{t−1}: the optimiser's own trip through
    /// memory and the recorder's are one.
    /// Sums, each as <see cref="Gradient"/> and <see cref="Update"/> sum theirs (same bits):
    /// [0] g·g, [1] c·c, [2] c·c_{t−1} (c = g + λ_c·θ, or g), [3] u·u, [4] u·u_{t−1}, [5] ‖θ − θ_0‖².
    /// </summary>
    /// <remarks>A parameter without a gradient has g = 0, and the optimiser leaves it alone (u = 0).</remarks>
    public static void KnownUpdate(in UpdateBlock block, in UpdateRule rule, Span<double> sums) =>
        KnownUpdateIn(block, rule, sums, wide: Vector512.IsHardwareAccelerated);

    /// <summary>
    /// <paramref name="wide"/>: the float64 products in 512-bit vectors, one per 8 floats, where the narrow loop takes two
    /// 256-bit halves; lane k of the wide sum is lane k of the two halves side by side, so both give the same bits.
    /// </summary>
    internal static void KnownUpdateIn(in UpdateBlock block, in UpdateRule rule, Span<double> sums, bool wide)
    {
        int i = wide ? KnownUpdateWide(block, rule, sums) : KnownUpdateNarrow(block, rule, sums);
        float* grad = (float*)block.Gradient, theta = (float*)block.Theta, initial = (float*)block.Initial, cosine = (float*)block.Cosine,
            update = (float*)block.Update, buffer = (float*)block.Buffer, nextBuffer = (float*)block.NextBuffer;
        bool stepped = grad != null;
        for (; i < block.Count; i++)
        {
            float g = stepped ? grad[i] : 0, t = theta[i], c = g;
            if (rule.CosineDecay != 0) c = c + rule.CosineDecay * t;
            sums[0] += (double)g * g;
            sums[1] += (double)c * c;
            sums[2] += (double)c * cosine[i];
            cosine[i] = c;
            float u = 0;
            if (stepped)
            {
                float next = Step(g, t, buffer == null ? null : buffer[i], rule, out float b);
                u = next - t;
                theta[i] = next;
                if (rule.HasMomentum) nextBuffer[i] = b;
            }
            sums[3] += (double)u * u;
            sums[4] += (double)u * update[i];
            update[i] = u;
            float e = t - initial[i];
            sums[5] += (double)e * e;
        }
        if (rule.CosineDecay == 0) sums[0] = sums[1];
    }

    /// <summary>θ' = θ − η·v for one element and the new momentum buffer b, rounded as the optimiser rounds them.</summary>
    private static float Step(float g, float theta, float? buffer, in UpdateRule rule, out float momentum)
    {
        float d = rule.WeightDecay != 0 ? MathF.FusedMultiplyAdd(theta, rule.WeightDecay, g) : g, v = d;
        momentum = 0;
        if (rule.HasMomentum)
        {
            momentum = buffer is { } previous ? previous * rule.Momentum + d : d;
            v = rule.Nesterov ? MathF.FusedMultiplyAdd(momentum, rule.Momentum, d) : momentum;
        }
        return MathF.FusedMultiplyAdd(v, rule.Alpha, theta);
    }

    /// <summary>Takes the step for 8 elements (θ' written at <paramref name="thetaAt"/>, b at <paramref name="nextBuffer"/>) and returns u = θ' − θ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> TakeStep(Vector256<float> g, Vector256<float> theta, float* thetaAt, float* buffer, float* nextBuffer, in UpdateRule rule)
    {
        var next = Step(g, theta, buffer, rule, out var momentum);
        Vector256.Store(next, thetaAt);
        if (rule.HasMomentum) Vector256.Store(momentum, nextBuffer);
        return next - theta;
    }

    /// <summary>θ' = θ − η·v for 8 elements and their new momentum buffer b, rounded as the optimiser's vectorised kernels round them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Step(Vector256<float> g, Vector256<float> theta, float* buffer, in UpdateRule rule, out Vector256<float> momentum)
    {
        var d = rule.WeightDecay != 0 ? Vector256.FusedMultiplyAdd(theta, Vector256.Create(rule.WeightDecay), g) : g;
        var v = d;
        momentum = default;
        if (rule.HasMomentum)
        {
            var mu = Vector256.Create(rule.Momentum);
            momentum = buffer != null ? Vector256.Load(buffer) * mu + d : d;
            v = rule.Nesterov ? Vector256.FusedMultiplyAdd(momentum, mu, d) : momentum;
        }
        return Vector256.FusedMultiplyAdd(v, Vector256.Create(rule.Alpha), theta);
    }

    /// <summary>The whole vectors of 8; returns where the scalar tail starts (sums as in <see cref="KnownUpdate"/>).</summary>
    private static int KnownUpdateNarrow(in UpdateBlock block, in UpdateRule rule, Span<double> sums)
    {
        float* grad = (float*)block.Gradient, theta = (float*)block.Theta, initial = (float*)block.Initial, cosine = (float*)block.Cosine,
            update = (float*)block.Update, buffer = (float*)block.Buffer, nextBuffer = (float*)block.NextBuffer;
        bool stepped = grad != null, decayCosine = rule.CosineDecay != 0;
        var zero = Vector256<double>.Zero;
        var (gg0, gg1, cc0, cc1, cp0, cp1) = (zero, zero, zero, zero, zero, zero);
        var (uu0, uu1, up0, up1, dd0, dd1) = (zero, zero, zero, zero, zero, zero);
        var lamC = Vector256.Create(rule.CosineDecay);
        int i = 0;
        for (; i <= block.Count - 8; i += 8)
        {
            var vg = stepped ? Vector256.Load(grad + i) : Vector256<float>.Zero;
            var vt = Vector256.Load(theta + i);
            var vc = decayCosine ? vg + lamC * vt : vg;
            var (c0, c1) = Vector256.Widen(vc);
            var (p0, p1) = Vector256.Widen(Vector256.Load(cosine + i));
            Vector256.Store(vc, cosine + i);
            cc0 = Vector256.FusedMultiplyAdd(c0, c0, cc0); cc1 = Vector256.FusedMultiplyAdd(c1, c1, cc1);
            cp0 = Vector256.FusedMultiplyAdd(c0, p0, cp0); cp1 = Vector256.FusedMultiplyAdd(c1, p1, cp1);
            if (decayCosine)
            {
                var (g0, g1) = Vector256.Widen(vg);
                gg0 = Vector256.FusedMultiplyAdd(g0, g0, gg0); gg1 = Vector256.FusedMultiplyAdd(g1, g1, gg1);
            }
            var vu = stepped ? TakeStep(vg, vt, theta + i, buffer == null ? null : buffer + i, nextBuffer + i, rule) : Vector256<float>.Zero;
            var (u0, u1) = Vector256.Widen(vu);
            var (q0, q1) = Vector256.Widen(Vector256.Load(update + i));
            Vector256.Store(vu, update + i);
            uu0 = Vector256.FusedMultiplyAdd(u0, u0, uu0); uu1 = Vector256.FusedMultiplyAdd(u1, u1, uu1);
            up0 = Vector256.FusedMultiplyAdd(u0, q0, up0); up1 = Vector256.FusedMultiplyAdd(u1, q1, up1);
            var (e0, e1) = Vector256.Widen(vt - Vector256.Load(initial + i));
            dd0 = Vector256.FusedMultiplyAdd(e0, e0, dd0); dd1 = Vector256.FusedMultiplyAdd(e1, e1, dd1);
        }
        sums[0] = Vector256.Sum(gg0 + gg1);
        sums[1] = Vector256.Sum(cc0 + cc1);
        sums[2] = Vector256.Sum(cp0 + cp1);
        sums[3] = Vector256.Sum(uu0 + uu1);
        sums[4] = Vector256.Sum(up0 + up1);
        sums[5] = Vector256.Sum(dd0 + dd1);
        return i;
    }

    /// <summary>As <see cref="KnownUpdateNarrow"/>, the products in one 512-bit vector per 8 floats.</summary>
    private static int KnownUpdateWide(in UpdateBlock block, in UpdateRule rule, Span<double> sums)
    {
        float* grad = (float*)block.Gradient, theta = (float*)block.Theta, initial = (float*)block.Initial, cosine = (float*)block.Cosine,
            update = (float*)block.Update, buffer = (float*)block.Buffer, nextBuffer = (float*)block.NextBuffer;
        bool stepped = grad != null, decayCosine = rule.CosineDecay != 0;
        var zero = Vector512<double>.Zero;
        var (gg, cc, cp, uu, up, dd) = (zero, zero, zero, zero, zero, zero);
        var lamC = Vector256.Create(rule.CosineDecay);
        int i = 0;
        for (; i <= block.Count - 8; i += 8)
        {
            var vg = stepped ? Vector256.Load(grad + i) : Vector256<float>.Zero;
            var vt = Vector256.Load(theta + i);
            var vc = decayCosine ? vg + lamC * vt : vg;
            var c = Widen(vc);
            var p = Widen(Vector256.Load(cosine + i));
            Vector256.Store(vc, cosine + i);
            cc = Vector512.FusedMultiplyAdd(c, c, cc);
            cp = Vector512.FusedMultiplyAdd(c, p, cp);
            if (decayCosine)
            {
                var g = Widen(vg);
                gg = Vector512.FusedMultiplyAdd(g, g, gg);
            }
            var vu = stepped ? TakeStep(vg, vt, theta + i, buffer == null ? null : buffer + i, nextBuffer + i, rule) : Vector256<float>.Zero;
            var u = Widen(vu);
            var q = Widen(Vector256.Load(update + i));
            Vector256.Store(vu, update + i);
            uu = Vector512.FusedMultiplyAdd(u, u, uu);
            up = Vector512.FusedMultiplyAdd(u, q, up);
            var e = Widen(vt - Vector256.Load(initial + i));
            dd = Vector512.FusedMultiplyAdd(e, e, dd);
        }
        sums[0] = Fold(gg);
        sums[1] = Fold(cc);
        sums[2] = Fold(cp);
        sums[3] = Fold(uu);
        sums[4] = Fold(up);
        sums[5] = Fold(dd);
        return i;
    }

    /// <summary>8 floats as 8 doubles, in order (the two halves <see cref="Vector256.Widen(Vector256{float})"/> gives, side by side).</summary>
    private static Vector512<double> Widen(Vector256<float> x) => Vector512.WidenLower(x.ToVector512Unsafe());

    /// <summary>The sum of a wide accumulator as the narrow loop sums its two halves.</summary>
    private static double Fold(Vector512<double> x) => Vector256.Sum(x.GetLower() + x.GetUpper());

    /// <summary>x·x, summed exactly as <see cref="Gradient"/> and <see cref="Update"/> sum their squares (same bits).</summary>
    public static double SquaredNorm(nint address, int n)
    {
        float* x = (float*)address;
        var ss0 = Vector256<double>.Zero; var ss1 = ss0;
        int i = 0;
        for (; i <= n - 8; i += 8)
        {
            var (c0, c1) = Vector256.Widen(Vector256.Load(x + i));
            ss0 = Vector256.FusedMultiplyAdd(c0, c0, ss0); ss1 = Vector256.FusedMultiplyAdd(c1, c1, ss1);
        }
        double squared = Vector256.Sum(ss0 + ss1);
        for (; i < n; i++) squared += (double)x[i] * x[i];
        return squared;
    }
}

/// <summary>One block's vectors for <see cref="StepPass.KnownUpdate"/>: addresses of <see cref="Count"/> float32 values each
/// (a zero <see cref="Gradient"/>: no gradient; a zero <see cref="Buffer"/>: no momentum buffer yet).</summary>
internal struct UpdateBlock
{
    /// <summary>Buffer: the momentum buffer the step reads (0: none yet, b = d); NextBuffer: where it writes b (0 without momentum).</summary>
    public nint Gradient, Theta, Initial, Cosine, Update, Buffer, NextBuffer;
    public int Count;
}

/// <summary>
/// The optimiser's rule as <see cref="StepPass.KnownUpdate"/> forms its step: weight decay λ, momentum μ (Nesterov or
/// not), α = −η rounded to float32 as libtorch rounds the alpha of its add, and the cosines' own λ_c (the authors' convention).
/// </summary>
internal readonly record struct UpdateRule(float WeightDecay, float Momentum, bool HasMomentum, bool Nesterov, float Alpha, float CosineDecay);
