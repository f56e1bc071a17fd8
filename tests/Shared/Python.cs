using System.Diagnostics;

namespace SgdWalk.TestSupport;

/// <summary>
/// Runs a Python script under Debian's python3 (with torch and numpy: <see cref="TestDependencies.Require"/>("pytorch")
/// first), with the repository's python/ folder on the path so `import sgdwalk` finds the companion.
/// </summary>
internal static class Python
{
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> in <paramref name="workingDirectory"/>; fails the test on a non-zero exit; returns stdout.</summary>
    public static string Run(string script, string workingDirectory, params string[] args)
    {
        var (code, stdout, stderr) = TryRun(script, workingDirectory, args);
        Assert.True(code == 0, $"python3 exited {code}:\n{stderr}\n{stdout}");
        return stdout;
    }

    public static (int ExitCode, string Stdout, string Stderr) TryRun(string script, string workingDirectory, params string[] args)
    {
        string file = Path.Combine(workingDirectory, $"script-{Guid.NewGuid():N}.py");
        File.WriteAllText(file, script);
        var start = new ProcessStartInfo(Interpreter, [file, .. args])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PYTHONPATH"] = Path.Combine(TestDependencies.RepositoryRoot(), "python");
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start python3");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}
