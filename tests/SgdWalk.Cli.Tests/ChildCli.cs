using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// The built command line as a real child process (`dotnet SgdWalk.Cli.dll …`, with the launcher's GLIBC_TUNABLES),
/// so tests can kill it with SIGKILL or signal it with SIGINT / SIGTERM at any moment.
/// </summary>
internal sealed class ChildCli : IDisposable
{
    public const int SigInt = 2, SigKill = 9, SigTerm = 15;

    private readonly Process process;
    private readonly StringBuilder output = new();

    private ChildCli(Process process) => this.process = process;

    public static ChildCli Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SgdWalk.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["GLIBC_TUNABLES"] = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var child = new ChildCli(Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet"));
        child.process.OutputDataReceived += (_, e) => { lock (child.output) child.output.AppendLine(e.Data); };
        child.process.ErrorDataReceived += (_, e) => { lock (child.output) child.output.AppendLine(e.Data); };
        child.process.BeginOutputReadLine();
        child.process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs to the end and returns the exit code and everything printed.</summary>
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        using var child = Start(args);
        int code = child.WaitForExit(TimeSpan.FromMinutes(2));
        return (code, child.Output);
    }

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public bool HasExited => process.HasExited;

    public int WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            process.Kill();
            throw new TimeoutException($"the child did not finish within {timeout}: {Output}");
        }
        process.WaitForExit(); // drains the redirected output
        return process.ExitCode;
    }

    /// <summary>Sends a POSIX signal (SIGKILL cannot be caught: the process dies wherever it is).</summary>
    public void Signal(int signal)
    {
        if (Kill(process.Id, signal) != 0) throw new InvalidOperationException($"kill({process.Id}, {signal}) failed");
    }

    /// <summary>Waits until <paramref name="file"/> has at least <paramref name="lines"/> lines (or the child ends).</summary>
    public bool WaitForLines(string file, int lines, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout && !process.HasExited)
        {
            if (CountLines(file) >= lines) return true;
            Thread.Sleep(5);
        }
        return false;
    }

    public static int CountLines(string file)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            int count = 0, b;
            while ((b = stream.ReadByte()) >= 0) if (b == '\n') count++;
            return count;
        }
        catch (IOException)
        {
            return 0; // not created yet
        }
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill();
        process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
