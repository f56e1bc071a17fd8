using System.Runtime.InteropServices;

namespace SgdWalk.Platform;

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

    /// <summary>
    /// What went wrong, in one line, from a libtorch exception: for an error inside a TorchScript graph ("The following
    /// operation failed in the TorchScript interpreter." and two tracebacks) the Python exception it ends with and the
    /// last place in the original code the traceback names ("builtins.ValueError: batch too large (model.py, line 7)");
    /// for any other, its first line (later lines are C++ frames).
    /// </summary>
    public static string Reason(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var lines = e.Message.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Trim().Length > 0).ToList();
        if (lines.Count == 0) return e.GetType().Name;
        if (!lines[0].Contains("failed in the TorchScript interpreter", StringComparison.Ordinal)) return lines[0].Trim();
        string what = lines[^1].Trim();
        var file = lines.LastOrDefault(l => l.TrimStart().StartsWith("File \"", StringComparison.Ordinal))?.Trim();
        if (file is null) return what;
        // File "/home/me/model.py", line 7, in forward → model.py, line 7
        int close = file.IndexOf('"', 6);
        string name = close > 6 ? System.IO.Path.GetFileName(file[6..close]) : file;
        string line = close > 0 && file.IndexOf(", line ", close, StringComparison.Ordinal) is var at and >= 0
            ? file[(at + 2)..].Split(',')[0] : "";
        return line.Length > 0 ? $"{what} ({name}, {line})" : $"{what} ({name})";
    }

    /// <summary>Whether libtorch optimises TorchScript graphs (false after <see cref="Configure"/>).</summary>
    public static bool Optimizing() => GetGraphExecutorOptimize();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN5torch3jit24setGraphExecutorOptimizeEb")]
    private static extern void SetGraphExecutorOptimize([MarshalAs(UnmanagedType.U1)] bool optimize);

    [DllImport("libtorch_cpu", EntryPoint = "_ZN5torch3jit24getGraphExecutorOptimizeEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool GetGraphExecutorOptimize();
}
