using System.Diagnostics;
using SgdWalk.TestSupport;

namespace SgdWalk.Reporting.Tests;

public class BrowserCheckTests
{
    /// <summary>
    /// report.html rendered by a real browser (headless Chromium via tests/browser-check.sh). Chromium and python3 are
    /// installed before the suite by scripts/ensure-test-deps.sh; when they are missing this fails, never skips.
    /// </summary>
    [Fact]
    public async Task Report_renders_in_headless_chromium_with_every_image_loaded()
    {
        TestDependencies.Require("chromium");
        TestDependencies.Require("python3");
        using var run = new Fixture(Fixture.Synthetic);
        run.Build();
        string script = Path.Combine(AppContext.BaseDirectory, "browser-check.sh");
        string screenshot = run.File("screenshot.png");

        var start = new ProcessStartInfo("bash", [script, run.File("report.html"), screenshot])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync(); // the script bounds each Chromium call itself (timeout 600)
        string log = stdout + await stderr;

        Assert.True(process.ExitCode == 0, $"browser-check.sh exited {process.ExitCode}:\n{log}");
        Assert.Contains("OK: 5/5 images loaded", log);
        ImageAssert.IsDrawnPng(screenshot, 1200, 2000);
    }
}
