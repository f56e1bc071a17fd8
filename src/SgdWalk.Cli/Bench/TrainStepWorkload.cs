namespace SgdWalk.Cli.Bench;

/// <summary>train_step_ms: the median of individually timed plain SGD steps (batch 100), from θ_{t+1} on.</summary>
public static class TrainStepWorkload
{
    public static Timings Measure(BenchFixture fixture, BenchPlan plan)
    {
        // Each step is its own measurement: a slow step (another process, a page fault) moves the median little.
        var timings = Timings.Measure(plan.TimedTrainSteps, fixture.Trainer.Run);
        fixture.RestoreEnd();
        return timings;
    }
}
