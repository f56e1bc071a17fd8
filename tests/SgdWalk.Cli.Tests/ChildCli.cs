using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// The built command line as a real child process (`dotnet SgdWalk.Cli.dll …`, with the launcher's GLIBC_TUNABLES),
/// so tests can kill it with SIGKILL or signal it with SIGINT / SIGTERM. Where that happens is chosen by the test,
/// not by a clock: started with a pause step, the child waits at that step (SGDWALK_TEST_ONLY_PAUSE_AT_STEP) until it
/// is signalled, killed or released, and every wait here is for an event (an output line, the exit).
/// </summary>
internal sealed class ChildCli : IDisposable
{
    public const int SigInt = 2, SigKill = 9, SigTerm = 15;

    /// <summary>Only against a hang: every wait ends on an event long before this on any machine that runs the suite.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(10);

    private readonly Process process;
    private readonly StringBuilder output = new();
    private int closedStreams;

    private ChildCli(Process process) => this.process = process;

    public static ChildCli Start(params string[] args) => Start(null, args);

    /// <summary>Starts the CLI; with <paramref name="pauseAtStep"/> the run waits before that step (see <see cref="WaitForPause"/>).</summary>
    public static ChildCli Start(int? pauseAtStep, params string[] args) =>
        StartWithPauseValue(pauseAtStep?.ToString(CultureInfo.InvariantCulture), args);

    /// <summary>Starts the CLI with the pause variable set to <paramref name="pauseValue"/> verbatim (or unset when null).</summary>
    public static ChildCli StartWithPauseValue(string? pauseValue, params string[] args) => Start(pauseValue, [], args);

    /// <summary>Starts the CLI with extra environment variables.</summary>
    public static ChildCli StartWithEnvironment(IReadOnlyList<(string Name, string Value)> environment, params string[] args) =>
        Start(null, environment, args);

    private static ChildCli Start(string? pauseValue, IReadOnlyList<(string Name, string Value)> environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, // the pause's release channel; never the test host's own stdin
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SgdWalk.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["GLIBC_TUNABLES"] = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184";
        start.Environment["MKL_DISABLE_FAST_MM"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove(PauseVariable);
        if (pauseValue is not null) start.Environment[PauseVariable] = pauseValue;
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var child = new ChildCli(Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet"));
        child.process.OutputDataReceived += (_, e) => child.Received(e.Data);
        child.process.ErrorDataReceived += (_, e) => child.Received(e.Data);
        child.process.BeginOutputReadLine();
        child.process.BeginErrorReadLine();
        return child;
    }

    public const string PauseVariable = "SGDWALK_TEST_ONLY_PAUSE_AT_STEP";

    /// <summary>
    /// The environment that puts a child on an allocator, as the launcher does (scripts/ensure-allocator.sh): the
    /// preloaded library and its settings, with any allocator this test process was started with taken out of
    /// LD_PRELOAD (the oneMKL shim stays). "glibc" preloads none.
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> Allocator(string name)
    {
        var kept = (Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.Contains("jemalloc", StringComparison.Ordinal) && !p.Contains("mimalloc", StringComparison.Ordinal)).ToList();
        var environment = new List<(string, string)> { ("SGDWALK_ALLOCATOR", name), ("MALLOC_CONF", "") };
        switch (name)
        {
            case "jemalloc":
                kept.Insert(0, "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2");
                environment.Add(("MALLOC_CONF", "dirty_decay_ms:-1,muzzy_decay_ms:-1"));
                break;
            case "mimalloc":
                kept.Insert(0, "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2");
                break;
            case "glibc":
                break;
            default:
                throw new ArgumentException($"unknown allocator {name}", nameof(name));
        }
        environment.Add(("LD_PRELOAD", string.Join(':', kept)));
        return environment;
    }

    /// <summary>Runs to the end and returns the exit code and everything printed.</summary>
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        using var child = Start(args);
        int code = child.WaitForExit();
        return (code, child.Output);
    }

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public bool HasExited => process.HasExited;

    public int WaitForExit()
    {
        if (!process.WaitForExit(HangGuard))
        {
            process.Kill();
            throw new TimeoutException($"the child hung (no exit within {HangGuard}): {Output}");
        }
        process.WaitForExit(); // drains the redirected output
        return process.ExitCode;
    }

    /// <summary>Waits until the run says it is paused at <paramref name="step"/>; false when it ended without pausing.</summary>
    public bool WaitForPause(int step) => WaitForOutput(string.Create(CultureInfo.InvariantCulture, $"sgdwalk-test-pause: waiting at step {step}"));

    /// <summary>Lets a paused run go on.</summary>
    public void Release() => Send("go");

    /// <summary>Writes one line on the child's standard input (a `--worker` takes its cells there).</summary>
    public void Send(string line)
    {
        process.StandardInput.WriteLine(line);
        process.StandardInput.Flush();
    }

    /// <summary>Closes the child's standard input (a `--worker` leaves once it has run what it was given).</summary>
    public void EndInput() => process.StandardInput.Close();

    /// <summary>Waits, woken by each line the child prints, until <paramref name="text"/> appears; false if its output ends first.</summary>
    public bool WaitForOutput(string text)
    {
        var guard = Stopwatch.StartNew();
        lock (output)
        {
            while (!output.ToString().Contains(text, StringComparison.Ordinal))
            {
                if (closedStreams == 2) return false;
                var left = HangGuard - guard.Elapsed;
                if (left <= TimeSpan.Zero || !Monitor.Wait(output, left))
                    throw new TimeoutException($"the child hung (no '{text}' within {HangGuard}): {output}");
            }
            return true;
        }
    }

    /// <summary>Sends a POSIX signal (SIGKILL cannot be caught: the process dies wherever it is).</summary>
    public void Signal(int signal)
    {
        // A child started from a background job of a non-interactive shell inherits SIGINT as ignored, and .NET keeps
        // an ignored SIGINT ignored: the signal would then be lost and the test would wait for nothing.
        if (signal != SigKill && IgnoredSignals(process.Id) is ulong ignored && (ignored & (1UL << (signal - 1))) != 0)
            throw new InvalidOperationException(
                $"signal {signal} is ignored by the child (inherited from this test process, e.g. a shell's background job); " +
                "run the tests in the foreground or with job control (set -m)");
        if (Kill(process.Id, signal) != 0) throw new InvalidOperationException($"kill({process.Id}, {signal}) failed");
    }

    /// <summary>The SigIgn mask of a process (bit n−1 set: signal n is ignored), or null when it cannot be read.</summary>
    private static ulong? IgnoredSignals(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            return line is null ? null : Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        }
        catch (IOException)
        {
            return null;
        }
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

    private void Received(string? line)
    {
        lock (output)
        {
            if (line is null) closedStreams++; // end of stdout or stderr
            else output.AppendLine(line);
            Monitor.PulseAll(output);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
