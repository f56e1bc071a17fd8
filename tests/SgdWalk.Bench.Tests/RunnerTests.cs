using SgdWalk.Bench.Workloads;

namespace SgdWalk.Bench.Tests;

/// <summary>
/// The bench library without the command line: a run settles its status itself, and the default walk's memory is
/// measured in whatever program the client names. No timing is asserted.
/// </summary>
public class RunnerTests
{
    private static readonly BenchPlan Plan = BenchPlan.QuickPlan(new BenchPlan
    {
        Models = ["mlp"], Threads = [1], Repeats = 1, Dataset = "synthetic", PresetRounds = 0, PaperRounds = 0,
    });

    /// <summary>Stands in for sgdwalk: writes into the --out folder the run.json a walk leaves (its peak memory, 123 MB)
    /// and returns at once, so nothing depends on how long it lives or when anyone looks at it.</summary>
    private static readonly string[] Walk =
    [
        "bash", "-c",
        """
        while [ "$#" -gt 0 ]; do [ "$1" = --out ] && out="$2"; shift; done
        mkdir -p "$out" && printf '{"status": "completed", "counts": {"peak_memory_mb": 123}}' > "$out/run.json"
        """,
        "walk",
    ];

    [Fact]
    public void A_run_completes_every_workload_and_measures_the_named_program()
    {
        var result = BenchResult.Start(Plan, ["test"]);
        int blocks = 0;
        var progress = new List<BenchProgress>();
        new BenchRunner(Plan, Temporary(), null, Walk, progress.Add, () => blocks++, CancellationToken.None).Execute(result);

        Assert.Equal(BenchResult.Completed, result.Status);
        Assert.Null(result.Message);
        Assert.Equal(1, blocks);
        var block = Assert.Single(result.Results);
        Assert.Equal(["matmul", "train_step", "profile", "recorded_step", "recorded_step_consecutive", "recorded_step_adaptive", "profile_plain", "hvp"], block.Workloads.Select(w => w.Workload));
        Assert.Equal(11, block.ProfileLosses.Count);
        Assert.NotNull(block.DefaultRun);
        Assert.Null(block.DefaultRun.Problem);
        Assert.Equal(123, block.DefaultRun.PeakMb);
        Assert.True(result.FinishedUtc >= result.StartedUtc);
        Assert.True(result.Machine.ContainsKey("load_average_end"));
        Assert.NotEqual("not measured", result.MemoryMethod);
        Assert.Equal(progress.Select(p => p.Done).Order(), progress.Select(p => p.Done));
    }

    [Fact]
    public void A_cancelled_run_is_interrupted_and_a_failing_one_failed_with_its_reason()
    {
        var result = BenchResult.Start(Plan, ["test"]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        new BenchRunner(Plan, Temporary(), null, Walk, _ => { }, () => { }, cancelled.Token).Execute(result);
        Assert.Equal(BenchResult.Interrupted, result.Status);
        Assert.Contains("interrupted", result.Message);

        var missing = Plan with { Dataset = "mnist", DataDir = Path.Combine(Temporary(), "no-such-folder") };
        result = BenchResult.Start(missing, ["test"]);
        new BenchRunner(missing, Temporary(), null, Walk, _ => { }, () => { }, CancellationToken.None).Execute(result);
        Assert.Equal(BenchResult.Failed, result.Status);
        Assert.Contains("no-such-folder", result.Message);
    }

    [Fact]
    public void A_default_walk_that_fails_is_reported_with_its_last_error_line()
    {
        var peak = DefaultRunMemory.Measure("mlp", 1, Plan, ["bash", "-c", "echo 'no such model' >&2; exit 3"], CancellationToken.None);
        Assert.Equal("sgdwalk train exited with 3: no such model", peak.Problem);
        Assert.Equal(2, peak.Steps);
    }

    private static string Temporary() => Directory.CreateTempSubdirectory().FullName;
}
