using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// One fused pass over float32 parameter-sized vectors on the CPU: copies, differences and several inner products read
/// in the same loop, instead of one libtorch call (and one trip through memory) per operation. Products of two float32
/// values are exact in float64 and are summed in float64 over fixed blocks, the blocks' sums then in block order: the
/// result is the same bits whatever torch's thread count, and closer to the exact inner product than float32 BLAS.
/// One thread: the pass runs at memory speed, and a second one measured no faster next to libtorch's own workers.
/// </summary>
internal static unsafe class StepPass
{
    private const int Block = 1 << 15;

    [DllImport("LibTorchSharp", EntryPoint = "THSTensor_data")]
    private static extern IntPtr DataPointer(IntPtr tensor);

    /// <summary>Whether every tensor is a contiguous float32 CPU tensor (what the pass reads and writes).</summary>
    public static bool Supports(IEnumerable<Tensor> tensors) =>
        tensors.All(t => t.dtype == ScalarType.Float32 && t.device_type == TorchSharp.DeviceType.CPU && t.is_contiguous());

    /// <summary>The address of the first element of a tensor <see cref="Supports"/> accepts.</summary>
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

    /// <summary>Runs <paramref name="body"/> on every block and sums the <paramref name="sums"/> values each block returns, block by block in order.</summary>
    public static double[] Run((int Part, long Start, int Count)[] blocks, int sums, Action<int, Span<double>> body)
    {
        var partial = new double[sums];
        var total = new double[sums];
        for (int b = 0; b < blocks.Length; b++)
        {
            body(b, partial);
            for (int k = 0; k < sums; k++) total[k] += partial[k];
        }
        return total;
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
            ss0 += c0 * c0; ss1 += c1 * c1;
            sp0 += c0 * p0; sp1 += c1 * p1;
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
            uu0 += u0 * u0; uu1 += u1 * u1;
            up0 += u0 * p0; up1 += u1 * p1;
            dd0 += d0 * d0; dd1 += d1 * d1;
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

    /// <summary>x·x, summed exactly as <see cref="Gradient"/> and <see cref="Update"/> sum their squares (same bits).</summary>
    public static double SquaredNorm(nint address, int n)
    {
        float* x = (float*)address;
        var ss0 = Vector256<double>.Zero; var ss1 = ss0;
        int i = 0;
        for (; i <= n - 8; i += 8)
        {
            var (c0, c1) = Vector256.Widen(Vector256.Load(x + i));
            ss0 += c0 * c0; ss1 += c1 * c1;
        }
        double squared = Vector256.Sum(ss0 + ss1);
        for (; i < n; i++) squared += (double)x[i] * x[i];
        return squared;
    }
}
