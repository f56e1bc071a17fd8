using SgdWalk.Bench.Primitives;
using static TorchSharp.torch;

namespace SgdWalk.Bench.Workloads;

/// <summary>
/// train_step_ms: the median of individually timed plain SGD steps (batch 100) from θ_{t+1} on. The batch is drawn and
/// gathered before each step's clock starts (as the reference does); the model is put back at θ_{t+1} afterwards.
/// </summary>
public static class TrainStepWorkload
{
    public static Timings Measure(BenchFixture fixture, BenchPlan plan)
    {
        var trainer = fixture.Trainer;
        var ms = new double[plan.TimedTrainSteps];
        trainer.Run(); // warm-up
        for (int i = 0; i < ms.Length; i++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = trainer.Gather(trainer.NextIndices());
            // Each step is its own measurement: a slow step (another process, a page fault) moves the median little.
            ms[i] = Timings.Time(() => trainer.Step(x, y));
        }
        fixture.RestoreEnd();
        return new Timings(ms);
    }
}
