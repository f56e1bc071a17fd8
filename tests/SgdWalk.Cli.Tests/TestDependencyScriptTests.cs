using System.Diagnostics;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// scripts/ensure-test-deps.sh when something cannot be installed: it names each missing dependency, why, and the tests
/// that will fail; --check repeats that reason; and a test that needs it fails (never skips) with that message. Apt is
/// never touched here: the script's test-only knobs pretend a dependency is missing and apt-get absent.
/// </summary>
public class TestDependencyScriptTests
{
    private static (int ExitCode, string Stdout, string Stderr) Script(string statusFile, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(TestDependencies.RepositoryRoot(), "scripts", "ensure-test-deps.sh"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["SGDWALK_TEST_DEPS_STATUS"] = statusFile;
        start.Environment["SGDWALK_TEST_DEPS_PRETEND_MISSING"] = "chromium,slurm";
        start.Environment["SGDWALK_TEST_DEPS_PRETEND_NO_APT"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    [Fact]
    public void Without_apt_each_missing_dependency_is_named_with_its_packages_reason_and_tests_and_check_repeats_it()
    {
        string status = Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-deps-").FullName, "test-deps.txt");

        var (code, _, stderr) = Script(status);
        Assert.True(code == 1, stderr);
        Assert.Contains("ensure-test-deps: chromium is missing ((pretended missing); Debian packages: chromium): apt-get not found", stderr);
        Assert.Contains("ensure-test-deps: slurm is missing ((pretended missing); Debian packages: slurm-wlm munge): apt-get not found", stderr);
        Assert.Contains("tests that need it will fail: BrowserCheckTests", stderr);
        Assert.DoesNotContain("python3 is missing", stderr);
        Assert.Contains("chromium missing: apt-get not found", File.ReadAllText(status));

        var check = Script(status, "--check", "chromium");
        Assert.Equal(1, check.ExitCode);
        Assert.Contains("chromium is missing: (pretended missing) (Debian packages: chromium).", check.Stdout);
        Assert.Contains("scripts/ensure-test-deps.sh could not install it: apt-get not found", check.Stdout);

        Assert.Equal(0, Script(status, "--check", "python3").ExitCode);
        Assert.Equal(2, Script(status, "--check", "no-such-dependency").ExitCode);
    }

    [Fact]
    public void A_test_that_requires_a_missing_dependency_fails_with_the_scripts_message()
    {
        var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => TestDependencies.Require("no-such-dependency"));
        Assert.Contains("ensure-test-deps: unknown dependency 'no-such-dependency' (known: data slurm chromium python3 pytorch)", failure.Message);
    }
}
