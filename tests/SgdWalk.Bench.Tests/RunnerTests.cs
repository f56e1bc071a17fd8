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

    /// <summary>Stands in for sgdwalk and ignores the train arguments; the runner looks at it as soon as it starts, so its
    /// 0.3 s life only has to outlast process start-up, not a poll interval.</summary>
    private static readonly string[] Sleeper = ["bash", "-c", "sleep 0.3"];

    [Fact]
    public void A_run_completes_every_workload_and_measures_the_named_program()
    {
        var result = BenchResult.Start(Plan, ["test"]);
        int blocks = 0;
        var progress = new List<BenchProgress>();
        new BenchRunner(Plan, Temporary(), null, Sleeper, progress.Add, () => blocks++, CancellationToken.None).Execute(result);

        Assert.Equal(BenchResult.Completed, result.Status);
        Assert.Null(result.Message);
        Assert.Equal(1, blocks);
        var block = Assert.Single(result.Results);
        Assert.Equal(["matmul", "train_step", "profile", "recorded_step", "recorded_step_consecutive", "recorded_step_adaptive", "profile_plain", "hvp"], block.Workloads.Select(w => w.Workload));
        Assert.Equal(11, block.ProfileLosses.Count);
        Assert.NotNull(block.DefaultRun);
        Assert.Null(block.DefaultRun.Problem);
        Assert.True(block.DefaultRun.PeakMb > 0);
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
        new BenchRunner(Plan, Temporary(), null, Sleeper, _ => { }, () => { }, cancelled.Token).Execute(result);
        Assert.Equal(BenchResult.Interrupted, result.Status);
        Assert.Contains("interrupted", result.Message);

        var missing = Plan with { Dataset = "mnist", DataDir = Path.Combine(Temporary(), "no-such-folder") };
        result = BenchResult.Start(missing, ["test"]);
        new BenchRunner(missing, Temporary(), null, Sleeper, _ => { }, () => { }, CancellationToken.None).Execute(result);
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
