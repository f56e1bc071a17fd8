using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SgdWalk.Bench.Primitives;

/// <summary>A child process's exit code and output.</summary>
public sealed record ChildResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>": the last non-empty line of standard error", or nothing: the tail of a one-line error message.</summary>
    public string LastErrorLine =>
        Stderr.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) is { } line ? ": " + line : "";
}

/// <summary>
/// Runs a program to completion while collecting its output, optionally looking at it every <see cref="PollInterval"/>
/// (e.g. to read its memory). Ctrl-C or the timeout kills it, and only it and its own children.
/// </summary>
public static class ChildProcess
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static ChildResult Run(string file, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        CancellationToken cancel, Action<int>? poll = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new ChildResult(127, "", $"cannot start {file}: {e.Message}");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        // A first look right away, so a short-lived child is seen once even if this thread is late to its first wait.
        poll?.Invoke(process.Id);
        while (!process.WaitForExit(PollInterval))
        {
            poll?.Invoke(process.Id);
            if (!cancel.IsCancellationRequested && clock.Elapsed < timeout) continue;
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            cancel.ThrowIfCancellationRequested();
            return new ChildResult(124, "", string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFileName(file)} took longer than {timeout.TotalMinutes:F0} minutes and was stopped"));
        }
        process.WaitForExit(); // drains the asynchronous readers
        lock (stdout) lock (stderr) return new ChildResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
