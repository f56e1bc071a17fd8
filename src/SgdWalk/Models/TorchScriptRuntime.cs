using System.Runtime.InteropServices;

namespace SgdWalk.Models;

/// <summary>
/// How libtorch runs TorchScript graphs here. By default its profiling executor may rewrite a graph after the first
/// calls (differentiable subgraphs with the JIT's own backward formulas); a prototype saw results shift by about 1e-8
/// relative between the first calls and later ones (not reproduced with the test models on libtorch 2.10), which would
/// make them depend on which other calls came before (a probe's evaluation would then move the training trajectory).
/// Instead of a warm-up, graph optimisation is turned off, as PyTorch's
/// <c>torch._C._set_graph_executor_optimize(False)</c>, every call runs the graph op by op under ordinary autograd:
/// the numbers of eager PyTorch, from the first call, whatever ran before. TorchSharp has no binding for the switch.
/// </summary>
public static class TorchScriptRuntime
{
    private static bool done;

    /// <summary>Turns graph optimisation off (idempotent, process-wide; only TorchScript graphs are affected).</summary>
    /// <exception cref="InvalidOperationException">This libtorch does not export the switch.</exception>
    public static void Configure()
    {
        if (done) return;
        _ = TorchSharp.torch.get_num_threads(); // loads libtorch the way TorchSharp does before the symbols are looked up
        try
        {
            SetGraphExecutorOptimize(false);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            throw new InvalidOperationException("this libtorch does not export torch::jit::setGraphExecutorOptimize; " +
                "TorchScript models cannot be run reproducibly with it", e);
        }
        done = true;
    }

    /// <summary>Whether libtorch optimises TorchScript graphs (false after <see cref="Configure"/>).</summary>
    public static bool Optimizing() => GetGraphExecutorOptimize();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN5torch3jit24setGraphExecutorOptimizeEb")]
    private static extern void SetGraphExecutorOptimize([MarshalAs(UnmanagedType.U1)] bool optimize);

    [DllImport("libtorch_cpu", EntryPoint = "_ZN5torch3jit24getGraphExecutorOptimizeEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool GetGraphExecutorOptimize();
}
