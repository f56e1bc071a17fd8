using SgdWalk.Bench.Primitives;
using SgdWalk.Bench.Reference;
using SgdWalk.Bench.Workloads;
using SgdWalk.Data;
using static TorchSharp.torch;

namespace SgdWalk.Bench;

/// <summary>Where the bench stands, for the progress display.</summary>
public sealed record BenchProgress(string Description, int Done, int Total);

/// <summary>
/// Runs every workload for each model × thread count, in this order per block: the machine's matmul rate, training
/// steps, the fast and plain profiles, the HVP, the PyTorch reference on the same exchange folder, (once per model)
/// the default walk's peak memory in a child process started by <paramref name="sgdwalk"/>, then the preset overheads.
/// Threads are switched in-process (torch.set_num_threads). Each finished block is handed to <paramref name="blockDone"/>,
/// so the files on disk are never more than one block behind.
/// </summary>
public sealed class BenchRunner(BenchPlan plan, string outFolder, ReferenceRunner? reference, IReadOnlyList<string> sgdwalk,
    Action<BenchProgress> progress, Action blockDone, CancellationToken cancel)
{
    private int done;

    public PeakMemory Memory { get; } = new();

    /// <summary>
    /// <see cref="Run"/>, then the result's ending: completed; interrupted (cancelled between workloads: the blocks
    /// finished before are kept); or failed with the reason in <see cref="BenchResult.Message"/> (bad data, an unwritable
    /// folder, a preset run that went wrong). Also settles whether the reference ran, and the load at the end.
    /// </summary>
    public void Execute(BenchResult result)
    {
        try
        {
            Run(result);
            result.Status = BenchResult.Completed;
        }
        catch (OperationCanceledException)
        {
            (result.Status, result.Message) = (BenchResult.Interrupted, "interrupted by Ctrl-C or SIGTERM; the blocks finished before are kept");
        }
        catch (Exception e) when (e is DataFormatException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            (result.Status, result.Message) = (BenchResult.Failed, e.Message);
        }
        finally
        {
            result.MemoryMethod = Memory.Method;
        }
        result.FinishedUtc = DateTimeOffset.UtcNow;
        result.Machine["load_average_end"] = MachineInfo.LoadAverage();
        if (reference is not null)
        {
            // Found but failed (install, a crash, a bad answer): say so once, with the first reason.
            string? problem = reference.Problem ?? result.Results.Select(b => b.ReferenceProblem).FirstOrDefault(p => p is not null);
            bool ran = result.Results.Any(b => b.Reference is not null);
            result.Reference = !ran ? "missing" : problem is null ? "ran" : "partly";
            result.ReferenceProblem = problem ?? (ran ? null : "the bench stopped before the reference ran");
        }
    }

    /// <summary>Progress steps of one block: five workloads, the reference, the preset runs (the default walk counts once per model).</summary>
    private int UnitsPerBlock => 5 + (reference is null ? 0 : 1) + plan.PresetRounds * 2 + Math.Min(plan.PaperRounds, plan.PresetRounds);

    public void Run(BenchResult result)
    {
        int total = plan.Models.Count * (plan.Threads.Count * UnitsPerBlock + 1);
        Report("loading " + plan.Dataset, total);
        using var data = DatasetCatalog.Load(new DataOptions(plan.Dataset, plan.DataDir, Seed: plan.Seed));
        foreach (var model in plan.Models)
        {
            // One segment per model, built at the first thread count, so every thread count measures the same step.
            set_num_threads(plan.Threads[0]);
            Report($"{model}: warm-up and segment", total);
            using var fixture = BenchFixture.Create(model, data, plan);
            foreach (int threads in plan.Threads)
            {
                var block = new BlockResult
                {
                    Model = model,
                    Threads = threads,
                    FlopsPerSample = fixture.Flops,
                };
                result.Results.Add(block);
                var load = new OtherLoad();
                try
                {
                    RunBlock(fixture, block, total);
                }
                finally
                {
                    block.OtherLoadCores = load.Cores();
                }
                blockDone();
            }
        }
    }

    private void RunBlock(BenchFixture fixture, BlockResult block, int total)
    {
        set_num_threads(block.Threads);
        string at = $"{block.Model}, {block.Threads} thread{(block.Threads == 1 ? "" : "s")}";
        var f = fixture.Flops;

        // The machine's ceiling first, measured next to the workloads it is compared with.
        Step($"{at}: matmul {plan.MatmulSize}x{plan.MatmulSize}", total);
        var matmul = Timed(() => MatmulRate.Measure(plan.MatmulSize, plan.Repeats, plan.Seed));
        block.MatmulGflops = MatmulRate.Flops(plan.MatmulSize) / (matmul.Value.Median * 1e6);
        Add(block, "matmul", $"matmul {plan.MatmulSize}³", matmul.Value, matmul, MatmulRate.Flops(plan.MatmulSize));

        Step($"{at}: {plan.TimedTrainSteps} plain training steps", total);
        var train = Timed(() => TrainStepWorkload.Measure(fixture, plan));
        Add(block, "train_step", $"train step (batch {plan.TrainBatch})", train.Value, train, plan.TrainBatch * f.Train);

        int points = plan.Alphas.Count, probe = fixture.ProbeView.Count, batch = fixture.BatchView.Count;
        Step($"{at}: profile {points} x {probe} (fast)", total);
        var fast = Timed(() => ProfileWorkload.Measure(fixture, plan, fast: true));
        Add(block, "profile", $"profile {points}×{probe}", fast.Value.Probe, fast, points * probe * f.Forward);
        Add(block, "recorded_step", $"recorded step (+{points}×{batch})", fast.Value.RecordedStep!, fast, points * (probe + batch) * f.Forward);
        Add(block, "recorded_step_consecutive", "recorded step, previous step recorded", fast.Value.RecordedConsecutive!, fast,
            points * (probe + batch) * f.Forward);
        Add(block, "recorded_step_adaptive", "recorded step, previous step recorded, --alphas adaptive", fast.Value.RecordedAdaptive!, fast,
            double.NaN);
        block.ProfileLosses = fast.Value.Losses;

        Step($"{at}: profile {points} x {probe} (plain)", total);
        var plain = Timed(() => ProfileWorkload.Measure(fixture, plan, fast: false));
        Add(block, "profile_plain", $"profile {points}×{probe} plain", plain.Value.Probe, plain, points * probe * f.Forward);

        Step($"{at}: Hessian-vector product on {fixture.HvpView.Count}", total);
        var hvp = Timed(() => HvpWorkload.Measure(fixture, plan));
        Add(block, "hvp", $"HVP ({fixture.HvpView.Count} samples)", hvp.Value.Timings, hvp, fixture.HvpView.Count * f.Hvp);
        (block.HvpNorm, block.HvpDot) = (hvp.Value.Norm, hvp.Value.Dot);

        if (reference is not null)
        {
            Step($"{at}: PyTorch reference", total);
            RunReference(fixture, block);
        }

        // Memory does not depend on the thread count: the default run is measured once per model.
        if (block.Threads == plan.Threads[0])
        {
            Step($"{at}: the default walk's peak memory (own process)", total);
            block.DefaultRun = DefaultRunMemory.Measure(block.Model, block.Threads, plan, sgdwalk, cancel);
        }

        block.Presets.AddRange(PresetOverhead.Measure(block.Model, block.Threads, plan, Memory, s => Step($"{at}: {s}", total), cancel));
    }

    private void RunReference(BenchFixture fixture, BlockResult block)
    {
        if (!reference!.Ensure(cancel))
        {
            block.ReferenceProblem = reference.Problem;
            return;
        }
        string folder = Path.Combine(outFolder, "exchange", $"{block.Model}-t{block.Threads}");
        ExchangeFolder.Write(folder, fixture, plan, block.Threads);
        block.ExchangeFolder = folder;
        try
        {
            var result = reference.Run(folder, cancel);
            block.Reference = result;
            block.Checks = ReferenceChecks.Compare(block.ProfileLosses, block.HvpNorm, block.HvpDot, result);
            double matmulMs = MatmulRate.Flops(plan.MatmulSize) / (result.MatmulGflops * 1e6);
            var theirs = new Dictionary<string, double>
            {
                ["matmul"] = matmulMs, ["train_step"] = result.TrainStepMs, ["profile"] = result.ProfileMs,
                ["profile_plain"] = result.ProfileMs, ["hvp"] = result.HvpMs,
            };
            for (int i = 0; i < block.Workloads.Count; i++)
                if (theirs.TryGetValue(block.Workloads[i].Workload, out double ms))
                    block.Workloads[i] = block.Workloads[i] with { ReferenceMs = ms };
        }
        catch (FormatException e)
        {
            block.ReferenceProblem = e.Message;
        }
    }

    /// <summary>Runs one workload between a reset of the peak-memory mark and a reading of it.</summary>
    private (T Value, double StartMb, double PeakMb) Timed<T>(Func<T> workload)
    {
        cancel.ThrowIfCancellationRequested();
        double start = Memory.Reset();
        var value = workload();
        return (value, start, PeakMemory.Peak());
    }

    private static void Add<T>(BlockResult block, string name, string description, Timings timings, (T Value, double StartMb, double PeakMb) measured, double flops) =>
        block.Workloads.Add(new WorkloadResult(name, description, timings, flops, block.MatmulGflops, measured.PeakMb, measured.StartMb));

    private void Step(string description, int total)
    {
        cancel.ThrowIfCancellationRequested();
        progress(new BenchProgress(description, done++, total));
    }

    private void Report(string description, int total) => progress(new BenchProgress(description, done, total));
}
