using System.Diagnostics;

namespace SgdWalk.TestSupport;

/// <summary>
/// The suite's system dependencies (Slurm, Chromium, Debian's python3 and PyTorch, the Fashion-MNIST package) are
/// installed once, before any test starts, by scripts/ensure-test-deps.sh (./test.sh runs it). Tests never install:
/// a test that needs one calls <see cref="Require"/>, which asks that script (in --check mode, which never installs)
/// and fails the test, never skips it, with the script's message when the dependency is missing.
/// </summary>
internal static class TestDependencies
{
    public static void Require(string name)
    {
        string script = Path.Combine(RepositoryRoot(), "scripts", "ensure-test-deps.sh");
        var start = new ProcessStartInfo("bash", [script, "--check", name])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string message = (stdout + stderr.Result).Trim();
        Assert.True(process.ExitCode == 0, message.Length > 0 ? message : $"{script} --check {name} failed ({process.ExitCode})");
    }

    /// <summary>The clone the tests were built from: the first folder above the test binaries holding SgdWalk.slnx.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SgdWalk.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no SgdWalk.slnx above {AppContext.BaseDirectory}");
    }
}
