using System.Globalization;
using SgdWalk.Landscape;
using SgdWalk.Probes;
using SgdWalk.Records.Claims;
using SgdWalk.Sweeps;
using SgdWalk.Training;

namespace SgdWalk.Experiments;

/// <summary>
/// The smallest set of runs that tests every claim (docs/claims.md), per seed: the base setting with segment
/// profiles and floor segments one epoch long (claims 1, 4a's secondary, 5, 6a); the base setting again recording every
/// step of a window, for the chained floor path (claim 4a); two more learning rates at the base batch size (claim 2); a
/// smaller and a larger batch at the base learning rate, profiled, with curvature measured (claims 2b/2c, 3a/3c, 6b's
/// secondary); the pair with the
/// base's LR/batch ratio, both ×2 and both ×4, profiled (claims 3b, 3d); floor-sgd at the base setting (claim 4b, 4c-epochs) and SGD at
/// floor-sgd's effective learning rate (4b's matched arm, <see cref="FloorSgdPilot"/>); SGD and floor-sgd
/// at the base setting stopped at a common training-loss target (claim 4c; unprofiled); at CPU scale the horizon runs, claim 2's
/// rates trained longer and profiled in three phases (claims 1, 2, 5, 6a per phase; at the base rate also 4a's long lag). The base run also measures
/// the gradient alignment of every design batch size at a few checkpoints (claim 6b, one run per seed); the batch-size
/// runs' curvature feeds only 6b's labelled secondary S_t/λ_max. Every run but the horizon and target runs trains the same number of epochs, so
/// distances compare at equal epochs.
/// </summary>
public static class ClaimsPlan
{
    public const string Experiment = "claims";

    /// <summary>The negative control's learning rate is the base rate divided by this.</summary>
    public const double ControlFactor = 100;

    /// <summary>Curvature measurements per run in the batch-size runs (about half of them after the first epoch).</summary>
    private const int CurvaturePoints = 6;

    /// <summary>Alignment checkpoints of the base run (about half of them after the first epoch, the ones claim 6b reads).</summary>
    public const int AlignmentPoints = 10;

    /// <summary>CPU scale: the paper's MLP on 10,000 Fashion-MNIST images, 2 epochs, a 500-image probe view.</summary>
    public static TrainOptions CpuBase { get; } = PaperPresets.CpuBase with
    {
        Epochs = 2,
        ProbeSize = 500,
        Recorder = PaperPresets.CpuBase.Recorder with { Record = RecordSchedule.Parse("every:10") },
    };

    /// <summary>
    /// `claims --quick`: the CPU design on 2,000 images (20 steps per epoch at B = 100) with a 250-image probe view and
    /// profiles every 2 steps (10 recorded steps per base run after the first epoch, as in the full plan), at
    /// <see cref="QuickSeeds"/> seeds: a few minutes with --jobs 2 on two cores. What it cannot power (4a's "below 1 %")
    /// is printed before it starts.
    /// </summary>
    public static TrainOptions QuickBase { get; } = CpuBase with
    {
        TrainSize = 2_000,
        ProbeSize = 250,
        Recorder = CpuBase.Recorder with { Record = RecordSchedule.Parse("every:2") },
    };

    /// <summary>The quick plan's seeds: the fewest that can earn a verdict (<see cref="ClaimsDesign.MinimumSeeds"/>).</summary>
    public const int QuickSeeds = ClaimsDesign.MinimumSeeds;

    /// <summary>Paper scale: the authors' CIFAR-10 / VGG-11 protocol (PaperPresets.PaperBase), one profile per epoch.</summary>
    public static TrainOptions PaperBase { get; } = PaperPresets.PaperBase with
    {
        Recorder = PaperPresets.PaperBase.Recorder with { Record = RecordSchedule.Parse("every:450") },
    };

    /// <param name="horizonEpochs">Epochs of the horizon runs (claims 1, 2, 5, 6a per phase of a long run); 0: none. CPU
    /// scale only, and only when longer than the plan's own runs.</param>
    public static ClaimsDesign Design(ExperimentScale scale, int seeds, TrainOptions shared, int horizonEpochs = HorizonEpochs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seeds, 1);
        bool paper = scale == ExperimentScale.Paper;
        double lr = shared.LearningRate;
        int batch = shared.BatchSize;
        bool phased = Phased(paper, shared, horizonEpochs);
        var design = new ClaimsDesign
        {
            Scale = paper ? "paper" : "cpu",
            LearningRate = lr,
            BatchSize = batch,
            LearningRates = [lr / 2, lr, lr * 2],
            BatchSizes = [paper ? batch / 2 : batch / 4, batch, batch * 4],
            PairLearningRate = lr * 4,
            PairBatchSize = batch * 4,
            PairFactors = [2, 4],
            HeightFractions = [0.25, 0.5, 0.75],
            ControlLearningRate = lr / ControlFactor,
            Seeds = Enumerable.Range(0, seeds).Select(i => shared.Seed + i).ToList(),
            RecordedSteps = RecordedAfterFirstEpoch(shared),
            ChainStart = (int)StepsPerEpoch(shared, batch) - 1,
            ChainSteps = ChainSteps(shared),
            HorizonEpochs = phased ? horizonEpochs : 0,
            PhaseEpochs = phased ? [2, horizonEpochs / 2, horizonEpochs] : [],
            Valley = ValleyControlPlan.Design,
            // L* is the pilot's (FloorSgdPilot): the target runs are planned once it is known.
            TargetEpochs = paper ? 0 : CpuTargetEpochs,
        };
        return design with { FloorLags = FloorLags(shared, design.LongLagOnHorizon()) };
    }

    /// <summary>
    /// Claim 4c's common training-loss target L* from the pilot's training loss outside the probe view at its end (the fit
    /// floor-sgd reaches in the plan's epochs on this model and data), rounded up to a multiple of 0.05: the pilot's own
    /// seed reaches it within the plan's epochs, the other seeds within the cap (<see cref="CpuTargetEpochs"/>, four times
    /// the CPU plan's two epochs), and machines whose float sums differ write the same L*. On the CPU default the pilot
    /// ends at 0.4654, so L* is the 0.5 earlier pilots suggested (docs/claims.md, "Claim 4c"); on small-cnn with --quick a
    /// fixed 0.5 was out of floor-sgd's reach within the cap (0.66–0.74 after 160 steps, eight seeds).
    /// </summary>
    public static double TargetLossFrom(double pilotLoss)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pilotLoss);
        // Rounded to 9 digits first so that a loss already on the grid (0.5 = 10 × 0.05 in floats) is not lifted a notch.
        return Math.Round(Math.Ceiling(Math.Round(pilotLoss / TargetLossGrid, 9)) * TargetLossGrid, 2);
    }

    /// <summary>The grid L* is rounded up to.</summary>
    private const double TargetLossGrid = 0.05;

    /// <summary>
    /// The target runs' cap in epochs: four times the CPU plan's two epochs, in which the pilot reached L* (800 steps at
    /// the CPU default, 160 with --quick).
    /// </summary>
    public const int CpuTargetEpochs = 8;

    /// <summary>The end-of-run curvature of the target runs: Lanczos with 20 products for λ_max, 10 Rademacher probes for the trace.</summary>
    private static SharpnessOptions EndCurvature(SharpnessOptions sharpness) => sharpness with
    {
        Schedule = RecordSchedule.None,
        Eigen = EigenMethod.Lanczos,
        TopK = 1,
        EigenIterations = 20,
        TraceSamples = 10,
        BatchSharpnessBatches = 0,
    };

    /// <summary>
    /// How long the horizon runs train at CPU scale: tens of epochs, enough for the mlp on 10,000 images to reach a low
    /// training loss, so "for most of training" is tested on most of it. (At paper scale the base runs already train
    /// 100 epochs but record one step per epoch: no phase has enough recorded steps, so no horizon is planned.)
    /// </summary>
    public const int HorizonEpochs = 20;

    /// <summary>A horizon needs three distinct phase epochs (2 &lt; h/2 &lt; h) beyond the plan's own epochs, at CPU scale.</summary>
    private static bool Phased(bool paper, TrainOptions shared, int horizonEpochs) =>
        !paper && shared.Steps is null && horizonEpochs >= 6 && horizonEpochs > shared.Epochs;

    /// <summary>The longest window of consecutive recorded steps of the floor-chain run.</summary>
    private const int MaximumChainSteps = 100;

    /// <summary>
    /// Claim 4a's lags (the lag is its own setting, the same at CPU and paper scale): 1 step, <see cref="ClaimsDesign.ChainLinks"/>
    /// steps, one epoch, and <see cref="ClaimsDesign.LongLagEpochs"/> epochs when a run holds a segment that long: the horizon
    /// run at the base rate when its phases pair up (<paramref name="onHorizon"/>), else the base run when its first segment
    /// on the lag's grid (ending one lag after the second epoch's first step) ends before the run does. A lag that would end
    /// after the run is not planned.
    /// </summary>
    public static IReadOnlyList<int> FloorLags(TrainOptions shared, bool onHorizon = false)
    {
        int epoch = (int)StepsPerEpoch(shared, shared.BatchSize), longLag = LongLag(shared, shared.BatchSize);
        double steps = shared.Steps ?? (epoch * (double)shared.Epochs);
        int[] lags = [1, ClaimsDesign.ChainLinks, epoch];
        bool longHeld = onHorizon || epoch + longLag < steps;
        return [.. lags.Where(k => k < steps).Concat(longHeld ? [longLag] : []).Distinct().Order()];
    }

    /// <summary>Claim 4a's long lag in steps at batch size <paramref name="batch"/>: <see cref="ClaimsDesign.LongLagEpochs"/> epochs.</summary>
    private static int LongLag(TrainOptions shared, int batch) => ClaimsDesign.LongLagEpochs * (int)StepsPerEpoch(shared, batch);

    /// <summary>
    /// The one-step floor segments of the floor-chain run: every step of a window from the last step of the first epoch,
    /// at most <see cref="MaximumChainSteps"/> segments (the second epoch of the CPU default), never past the run's end.
    /// </summary>
    public static int ChainSteps(TrainOptions shared)
    {
        int epoch = (int)StepsPerEpoch(shared, shared.BatchSize);
        double steps = shared.Steps ?? (epoch * (double)shared.Epochs);
        return (int)Math.Max(0, Math.Min(MaximumChainSteps, steps - epoch));
    }

    /// <summary>The runs of a design; <paramref name="shared"/> carries the model, data and epochs (and any user overrides).</summary>
    public static SweepPlan Build(ClaimsDesign design, TrainOptions shared)
    {
        var cells = new List<SweepCell>();
        // Claim 4a's long lag goes to the horizon run at the base rate when the design puts it there, else to the base run.
        int longLag = LongLag(shared, design.BatchSize);
        bool horizonLag = design.LongLagOnHorizon() && design.FloorLags.Contains(longLag);
        // Claim 4a reads a lag's straight segments only where they end at t₂ + jk, t₂ the second epoch's first step (steps
        // count from 0: t₂ is the steps per epoch), so the probe profiles only those (lag 1: all of them) and keeps only
        // the floor points they join, not every recorded pair k apart.
        int secondEpoch = (int)StepsPerEpoch(shared, design.BatchSize);
        RecorderOptions Lags(RecorderOptions recorder, IReadOnlyList<int> lags) =>
            recorder with { FloorLags = lags, FloorLagOrigin = lags.Count > 0 ? secondEpoch : null };
        foreach (long seed in design.Seeds)
        {
            TrainOptions Run(double lr, int batch) => shared with
            {
                LearningRate = lr,
                BatchSize = batch,
                Seed = seed,
                // The sweep reruns an interrupted cell from its start, so no run of the plan ever resumes from a step
                // checkpoint: keeping only the newest cut the quick plan's folder from 4.5 GB to 2.6 GB.
                KeepCheckpoints = 1,
                ChunkSize = shared.ChunkSize is { } c ? Math.Min(c, batch) : null,
                Recorder = shared.Recorder with
                {
                    Probes = ProbePreset.Cheap,
                    FloorLags = [],
                    Sharpness = shared.Recorder.Sharpness with { Schedule = RecordSchedule.None },
                },
            };
            static TrainOptions Profiled(TrainOptions run) => run with { Recorder = run.Recorder with { Probes = ProbePreset.Paper } };
            void Add(string name, TrainOptions options) => cells.Add(new SweepCell(cells.Count, $"{name}-s{Text(seed)}", options));

            foreach (double lr in design.LearningRates)
            {
                var profiled = Profiled(Run(lr, design.BatchSize));
                // The base also measures claim 4a's long lags (one epoch and more) and the alignment and random-direction controls.
                Add($"sgd-lr{Text(lr)}-b{Text(design.BatchSize)}", lr == design.LearningRate
                    ? profiled with
                    {
                        // The lags a window of consecutive steps cannot hold, on the base's records (every:N, N divides them).
                        Recorder = Lags(profiled.Recorder, [.. design.FloorLags.Where(k => !design.OnChain(k) && !(horizonLag && k == longLag))]) with
                        {
                            Alignment = Alignment(profiled, shared, design),
                            RandomDirection = true, // the random-direction control of claim 1 (Controls.cs)
                        },
                    }
                    : profiled);
            }
            // Claim 4a's chained floor path: the base setting (the same trajectory: measuring never changes it), recording
            // every step of a window so that consecutive floor points join up; the short lags are measured here.
            var chain = Profiled(Run(design.LearningRate, design.BatchSize));
            if (design.ChainSteps > 0)
                Add($"floor-chain-lr{Text(design.LearningRate)}-b{Text(design.BatchSize)}", chain with
                {
                    Recorder = Lags(chain.Recorder, [.. design.FloorLags.Where(design.OnChain)]) with
                    {
                        Record = RecordSchedule.Parse($"steps:{Text(design.ChainStart)}-{Text(design.ChainStart + design.ChainSteps)}"),
                    },
                });
            // Profiled like the base (claim 2's batch factor, 2b/2c), recording about as many steps per epoch as the base.
            TrainOptions ProfiledAt(TrainOptions run, int batch) => run with
            {
                Recorder = run.Recorder with
                {
                    Probes = ProbePreset.Paper,
                    Record = RecordSchedule.Parse("every:" + Text(RecordIntervalAt(batch, design.BatchSize, shared))),
                },
            };
            // Profiled like the base (claim 2's batch factor, 2b/2c).
            foreach (int batch in design.BatchSizes.Where(b => b != design.BatchSize))
                Add($"sgd-lr{Text(design.LearningRate)}-b{Text(batch)}", ProfiledAt(Curvature(Run(design.LearningRate, batch), shared), batch));
            // The equal-ratio pairs κη × κB (claims 3b, 3d), profiled: their height is the primary statistic.
            foreach (var (_, pairRate, pairBatch) in design.Pairs())
                Add($"sgd-lr{Text(pairRate)}-b{Text(pairBatch)}", ProfiledAt(Run(pairRate, pairBatch), pairBatch));
            // Claim 4: floor-sgd (h = 0) and height-sgd at each fraction h, their line search on the probe view (the training
            // loss, as the paper defines the floor), profiled like the base so their own bumps and floors are on record.
            var above = Profiled(Run(design.LearningRate, design.BatchSize)) with { FloorView = FloorSearchView.Probe };
            Add(FloorSgdName(design), above with { Optimizer = OptimizerKind.FloorSgd });
            foreach (double h in design.HeightFractions)
                Add($"height-sgd-h{Text(h)}-lr{Text(design.LearningRate)}-b{Text(design.BatchSize)}",
                    above with { Optimizer = OptimizerKind.HeightSgd, HeightFraction = h });
            // Claim 4b's matched arm: SGD at floor-sgd's effective learning rate η·ᾱ (FloorSgdPilot), unprofiled (4b-matched
            // reads its distance). A rate the plan already runs at the base batch size is that run: same setting, same trajectory.
            string matched = $"sgd-lr{Text(design.MatchedLearningRate)}-b{Text(design.BatchSize)}-s{Text(seed)}";
            if (design.MatchedLearningRate > 0 && cells.All(c => c.Name != matched))
                cells.Add(new SweepCell(cells.Count, matched, Run(design.MatchedLearningRate, design.BatchSize)));
            // Claim 4c at a common training-loss target: SGD and floor-sgd (its line search on the probe view, as above) each
            // stop at the first check where the training loss outside the probe view is at most L*, the cap TargetEpochs;
            // unprofiled, with λ_max and the trace at the final weights.
            if (design.TargetLoss is { } target)
            {
                TrainOptions Target(TrainOptions run) => run with
                {
                    Epochs = design.TargetEpochs,
                    Steps = null,
                    StopLoss = target,
                    EndCurvature = true,
                    Recorder = run.Recorder with { Sharpness = EndCurvature(run.Recorder.Sharpness) },
                };
                var targetRun = Run(design.LearningRate, design.BatchSize);
                Add($"target-sgd-lr{Text(design.LearningRate)}-b{Text(design.BatchSize)}", Target(targetRun));
                Add($"target-floor-sgd-lr{Text(design.LearningRate)}-b{Text(design.BatchSize)}",
                    Target(targetRun with { Optimizer = OptimizerKind.FloorSgd, FloorView = FloorSearchView.Probe }));
            }
            // The horizon: claim 2's learning rates at the base batch size trained HorizonEpochs, profiled in three phases of
            // one epoch each (early, middle, late) as densely as the base, for claims 1, 2, 5 and 6a per phase. At the base
            // rate it also measures claim 4a's long lag, between phases that far apart (the base runs are too short for it):
            // on the lag's grid it joins the second epoch's first step to the tenth's, keeping one floor point (a parameter vector) at a time.
            if (design.HorizonEpochs > 0)
                foreach (double lr in design.LearningRates)
                {
                    var run = Profiled(Run(lr, design.BatchSize));
                    Add($"horizon-sgd-lr{Text(lr)}-b{Text(design.BatchSize)}", run with
                    {
                        Epochs = design.HorizonEpochs,
                        Recorder = Lags(run.Recorder, horizonLag && lr == design.LearningRate ? [longLag] : []) with
                        {
                            Record = PhaseSchedule(design, shared),
                        },
                    });
                }
            // The negative control (SgdWalk.Reporting/Claims/Controls.cs): the base setting at a tiny learning rate, profiled like the base.
            if (design.ControlLearningRate > 0)
                Add($"control-lr{Text(design.ControlLearningRate)}-b{Text(design.BatchSize)}",
                    Profiled(Run(design.ControlLearningRate, design.BatchSize)));
            // The corrugated-valley positive control of claim 4 (ValleyControlPlan): four tiny network-free runs.
            if (design.Valley is not null)
                foreach (var (name, options) in ValleyControlPlan.Cells(seed, shared)) Add(name, options);
        }
        var axes = new Dictionary<string, IReadOnlyList<string>>
        {
            ["learning_rate"] = design.LearningRates.Concat(design.Pairs().Select(p => p.LearningRate))
                .Concat(design.ControlLearningRate > 0 ? [design.ControlLearningRate] : [])
                .Concat(design.MatchedLearningRate > 0 ? [design.MatchedLearningRate] : []).Distinct().Select(Text).ToList(),
            ["batch_size"] = design.BatchSizes.Concat(design.Pairs().Select(p => p.BatchSize)).Distinct().Select(b => Text(b)).ToList(),
            ["seed"] = design.Seeds.Select(s => Text(s)).ToList(),
        };
        return new SweepPlan(cells, axes, Experiment);
    }

    /// <summary>
    /// Whether the design gets 4b's matched arm: at CPU scale. At paper scale its pilot would be a whole VGG-11 floor-sgd
    /// run before the plan could be sent to a cluster, so 4b-matched says it has no runs there.
    /// </summary>
    public static bool PlansMatchedArm(ClaimsDesign design) => design.Scale == "cpu";

    /// <summary>The floor-sgd run of the base setting, without its seed suffix.</summary>
    public static string FloorSgdName(ClaimsDesign design) => $"floor-sgd-lr{Text(design.LearningRate)}-b{Text(design.BatchSize)}";

    /// <summary>Every N-th step (N the base's record interval) of each phase epoch of the horizon: as dense as the base's second epoch.</summary>
    private static RecordSchedule PhaseSchedule(ClaimsDesign design, TrainOptions shared)
    {
        int perEpoch = (int)StepsPerEpoch(shared, design.BatchSize), every = shared.Recorder.Record.Interval;
        // Counted from each epoch's first step, so an epoch shorter than the interval still records that step.
        var steps = design.PhaseEpochs.SelectMany(e => Enumerable.Range((e - 1) * perEpoch, perEpoch).Where(t => (t - ((e - 1) * perEpoch)) % every == 0));
        return RecordSchedule.Parse("steps:" + string.Join(",", steps.Select(t => Text(t))));
    }

    /// <summary>
    /// Step sharpness and λ_max at a few evenly spaced steps (claim 6b); no trace, no batch sharpness (not needed). λ_max by
    /// power iteration with the authors' 15 iterations (paper-digest.md "Sharpness"), warm-started from the previous estimate.
    /// </summary>
    private static TrainOptions Curvature(TrainOptions run, TrainOptions shared)
    {
        int steps = run.Steps ?? (int)Math.Ceiling(StepsPerEpoch(shared, run.BatchSize) * run.Epochs);
        return run with
        {
            Recorder = run.Recorder with
            {
                Sharpness = run.Recorder.Sharpness with
                {
                    Schedule = RecordSchedule.Parse("every:" + Text(Math.Max(1, steps / CurvaturePoints))),
                    Eigen = EigenMethod.Power,
                    EigenIterations = 15,
                    TraceSamples = 0,
                    BatchSharpnessBatches = 0,
                },
            },
        };
    }

    /// <summary>
    /// Gradient alignment (claim 6b) at <see cref="AlignmentPoints"/> evenly spaced steps of the base run, for every batch
    /// size of the design that fits outside the probe view, with the probe's defaults (k = 10, 8 batches per size); none when
    /// no size fits (a probe view of the whole split: 6b then says it has no values).
    /// </summary>
    private static AlignmentOptions Alignment(TrainOptions run, TrainOptions shared, ClaimsDesign design)
    {
        int steps = run.Steps ?? (int)Math.Ceiling(StepsPerEpoch(shared, run.BatchSize) * run.Epochs);
        // The batches are drawn from the training images outside the probe view: a size that does not fit is left out
        // (6b compares the largest and smallest sizes measured, and its statistic says so).
        int pool = TrainingImages(shared) - Math.Min(run.ProbeSize ?? TrainingImages(shared), TrainingImages(shared));
        int[] sizes = [.. design.BatchSizes.Where(b => b <= pool).Order()];
        return sizes.Length == 0 ? new AlignmentOptions()
            : new AlignmentOptions { Schedule = RecordSchedule.Parse("every:" + Text(Math.Max(1, steps / AlignmentPoints))), BatchSizes = sizes };
    }

    /// <summary>
    /// About how many steps the base run records after the first epoch (every:N records every N-th step): the units per
    /// seed of the share tests, from which each test says before any run whether it can reach its bounds.
    /// </summary>
    public static long RecordedAfterFirstEpoch(TrainOptions shared)
    {
        double perEpoch = StepsPerEpoch(shared, shared.BatchSize);
        double steps = shared.Steps ?? (perEpoch * shared.Epochs);
        return (long)Math.Max(0, Math.Floor((steps - perEpoch) / shared.Recorder.Record.Interval));
    }

    /// <summary>
    /// The record interval at another batch size that records about as many steps per epoch as the base's every:N
    /// (at least every step), so every batch size's median height rests on a similar number of profiles.
    /// </summary>
    public static int RecordIntervalAt(int batch, int baseBatch, TrainOptions shared) =>
        Math.Max(1, (int)(StepsPerEpoch(shared, batch) * shared.Recorder.Record.Interval / StepsPerEpoch(shared, baseBatch)));

    /// <summary>Steps per epoch as the trainer counts them (a partial last batch is a step).</summary>
    public static double StepsPerEpoch(TrainOptions options, int batch) => Math.Ceiling(TrainingImages(options) / (double)batch);

    /// <summary>The training split's size: --train-size, else the dataset's standard split (paper-digest.md "Set-up").</summary>
    public static int TrainingImages(TrainOptions options) => options.TrainSize ?? options.Dataset switch
    {
        "cifar10" => 45_000,
        "synthetic" => Data.SyntheticData.DefaultTrainCount,
        "valley" => Data.ValleyData.DefaultTrainCount,
        _ => 55_000,
    };

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
