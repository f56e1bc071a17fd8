using SgdWalk.Bench.Primitives;
using static TorchSharp.torch;

namespace SgdWalk.Bench.Workloads;

/// <summary>
/// The machine's dense float32 matrix-multiply rate through the same libtorch (and its BLAS) at the current thread
/// count: the ceiling every workload's FLOP rate is compared with. GFLOP/s = 2n³ / t.
/// </summary>
public static class MatmulRate
{
    public static Timings Measure(int size, int repeats, long seed)
    {
        using var generator = new Generator((ulong)seed);
        using var a = randn([size, size], generator: generator);
        using var b = randn([size, size], generator: generator);
        return Timings.Measure(repeats, () =>
        {
            using var product = mm(a, b);
        });
    }

    public static double Flops(int size) => 2.0 * size * size * size;
}
