using SgdWalk.Experiments;
using SgdWalk.Landscape;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Records.Claims;
using SgdWalk.Reporting.Claims;
using SgdWalk.Training;

namespace SgdWalk.Tests.Experiments;

public class ClaimsPlanTests
{
    /// <summary>The CPU design as the command runs it, after a pilot that put L* at 0.5.</summary>
    private static readonly ClaimsDesign Design = ClaimsPlan.Design(ExperimentScale.Cpu, 3, ClaimsPlan.CpuBase) with { TargetLoss = 0.5 };

    [Fact]
    public void The_cpu_design_is_the_documented_one()
    {
        Assert.Equal([0.05, 0.1, 0.2], Design.LearningRates);
        Assert.Equal([25, 100, 400], Design.BatchSizes);
        Assert.Equal((0.4, 400), (Design.PairLearningRate, Design.PairBatchSize));
        Assert.Equal([(2, 0.2, 200), (4, 0.4, 400)], Design.Pairs());
        Assert.Equal([1111L, 1112, 1113], Design.Seeds);
        // Claim 4a's lags: 1 step, 10 steps, one epoch (100 steps) and eight epochs (800 steps, on the horizon run: the
        // two-epoch runs cannot hold it); the chain records steps 99-199, so its 100 one-step segments all end in the second epoch.
        Assert.Equal([1, 10, 100, 800], Design.FloorLags);
        Assert.Equal((99, 100), (Design.ChainStart, Design.ChainSteps));
        // The same lags at the other scales: quick (20 steps per epoch, 2 epochs, no horizon as the command plans it: no
        // run holds eight epochs) and paper (450 per epoch, 100 epochs).
        var quick = ClaimsPlan.Design(ExperimentScale.Cpu, 10, ClaimsPlan.QuickBase, horizonEpochs: 0);
        Assert.Equal([1, 10, 20], quick.FloorLags);
        Assert.Equal((19, 20), (quick.ChainStart, quick.ChainSteps));
        // The horizon: 20 epochs, phases in epochs 2, 10 and 20; none at paper scale (its runs record one step per epoch) or when asked for none.
        Assert.Equal(20, Design.HorizonEpochs);
        Assert.Equal([2, 10, 20], Design.PhaseEpochs);
        Assert.Equal(0, ClaimsPlan.Design(ExperimentScale.Cpu, 10, ClaimsPlan.QuickBase, horizonEpochs: 0).HorizonEpochs);
        var paper = ClaimsPlan.Design(ExperimentScale.Paper, 10, ClaimsPlan.PaperBase);
        Assert.Equal((0, 0), (paper.HorizonEpochs, paper.PhaseEpochs.Count));
        Assert.Equal([1, 10, 450, 3600], paper.FloorLags);
        Assert.Equal((449, 100), (paper.ChainStart, paper.ChainSteps));
        Assert.Equal(("fashion-mnist", "mlp", 10_000, 2, 500), (ClaimsPlan.CpuBase.Dataset, ClaimsPlan.CpuBase.Model,
            ClaimsPlan.CpuBase.TrainSize, ClaimsPlan.CpuBase.Epochs, ClaimsPlan.CpuBase.ProbeSize));
    }

    /// <summary>
    /// Claim 4c's target runs: per seed SGD and floor-sgd (probe-view line search) at the base setting, unprofiled, each
    /// stopping at the pilot's training-loss target L* with an 8-epoch cap and measuring the curvature at the end; none
    /// before the pilot has set L*, none at paper scale; a folder whose design predates them is refused as a different
    /// design, naming the new field; a folder's L* stands whatever a new pilot would find.
    /// </summary>
    [Fact]
    public void The_target_runs_stop_at_the_pilots_training_loss_and_measure_the_curvature_at_the_end()
    {
        var unpiloted = ClaimsPlan.Design(ExperimentScale.Cpu, 3, ClaimsPlan.CpuBase);
        Assert.Equal(((double?)null, 8), (unpiloted.TargetLoss, unpiloted.TargetEpochs));
        Assert.Equal(8, ClaimsPlan.Design(ExperimentScale.Cpu, 10, ClaimsPlan.QuickBase).TargetEpochs);
        Assert.DoesNotContain(ClaimsPlan.Build(unpiloted, ClaimsPlan.CpuBase).Cells, c => c.Options.StopLoss is not null);
        Assert.Equal(0.5, unpiloted.Merge(Design).TargetLoss);
        Assert.Equal(0.65, Design.Merge(Design with { TargetLoss = 0.65 }).TargetLoss);
        var paper = ClaimsPlan.Design(ExperimentScale.Paper, 10, ClaimsPlan.PaperBase);
        Assert.Equal(((double?)null, 0), (paper.TargetLoss, paper.TargetEpochs));
        Assert.DoesNotContain(ClaimsPlan.Build(paper, ClaimsPlan.PaperBase).Cells, c => c.Options.StopLoss is not null);

        var cells = ClaimsPlan.Build(Design, ClaimsPlan.CpuBase).Cells.Where(c => c.Options.StopLoss is not null).ToList();
        Assert.Equal(["target-sgd-lr0.1-b100-s1111", "target-floor-sgd-lr0.1-b100-s1111"], cells.Where(c => c.Options.Seed == 1111).Select(c => c.Name));
        Assert.Equal(2 * Design.Seeds.Count, cells.Count);
        Assert.All(cells, c =>
        {
            var o = c.Options;
            Assert.Equal((0.1, 100, 8, (int?)null, 0.5, true), (o.LearningRate, o.BatchSize, o.Epochs, o.Steps, o.StopLoss, o.EndCurvature));
            Assert.Equal((ProbePreset.Cheap, 500), (o.Recorder.Probes, o.ProbeSize));
            var sharpness = o.Recorder.Sharpness;
            Assert.Equal((true, EigenMethod.Lanczos, 20, 10, 0), (sharpness.Schedule.IsNone, sharpness.Eigen, sharpness.EigenIterations, sharpness.TraceSamples, sharpness.BatchSharpnessBatches));
            Assert.Empty(o.Validate());
        });
        var floor = cells.Single(c => c.Name == "target-floor-sgd-lr0.1-b100-s1111").Options;
        Assert.Equal((OptimizerKind.FloorSgd, FloorSearchView.Probe), (floor.Optimizer, floor.FloorView));
        Assert.Equal(OptimizerKind.Sgd, cells.Single(c => c.Name == "target-sgd-lr0.1-b100-s1111").Options.Optimizer);

        var older = Design with { TargetLoss = null, TargetEpochs = 0 };
        Assert.DoesNotContain(ClaimsPlan.Build(older, ClaimsPlan.CpuBase).Cells, c => c.Options.StopLoss is not null);
        var refusal = Assert.Throws<IOException>(() => Design.Merge(older));
        Assert.Contains("target_epochs 0 there, 8 asked", refusal.Message);
    }

    /// <summary>
    /// The design knows the units its share tests will have before any run: 10 recorded steps per base run after the first
    /// epoch (100 steps, every 10th) and 10 chained floor windows per floor-chain run (100 one-step segments), so at the
    /// default 12 seeds 4a's "below 1 %" (368 windows) is out of reach and says so, and nothing else is.
    /// </summary>
    [Fact]
    public void The_design_says_before_any_run_which_bounds_it_cannot_reach()
    {
        var design = ClaimsPlan.Design(ExperimentScale.Cpu, ClaimTest.DefaultSeeds, ClaimsPlan.CpuBase);
        Assert.Equal(10, design.RecordedSteps);
        var power = PaperClaims.Tests.ToDictionary(t => t.Id, t => t.PlannedPower(design));
        Assert.Equal(["'contradicted' (CI below 0.01) needs ≥ 368 chained floor windows, has 120"], power["4a"]);
        Assert.All(power.Where(p => p.Key != "4a"), p => Assert.Empty(p.Value));
        var few = ClaimsPlan.Design(ExperimentScale.Cpu, 3, ClaimsPlan.CpuBase);
        Assert.All(PaperClaims.Tests, t => Assert.Contains("needs ≥ 10 seeds, has 3", t.PlannedPower(few)));
    }

    /// <summary>
    /// Claim 4a's long lag, eight epochs at every scale: at the CPU default the two-epoch runs cannot hold it, so the horizon
    /// run at η measures it between its phases in epochs 2 and 10: every recorded step of epoch 10 has its partner 800
    /// steps back, but 4a-lag-8-epochs reads only the segment on its grid (ending at 900, the second epoch's first step
    /// plus 800), so the probe profiles that one, keeps two floor points (parameter vectors) and the estimate counts one segment. Without a horizon (--quick) no run measures it; at paper scale the 100-epoch base run
    /// does. A folder written before the lag (floor_lags without 800) is a different design.
    /// </summary>
    [Fact]
    public void The_long_lag_is_measured_on_the_horizon_run_at_the_cpu_default_and_on_the_base_run_at_paper_scale()
    {
        Assert.Equal(8, ClaimsDesign.LongLagEpochs);
        Assert.True(Design.LongLagOnHorizon());
        var cells = ClaimsPlan.Build(Design, ClaimsPlan.CpuBase).Cells.Where(c => c.Options.Seed == 1111).ToDictionary(c => c.Name[..^6]);
        Assert.Equal([800], cells["horizon-sgd-lr0.1-b100"].Options.Recorder.FloorLags);
        Assert.Empty(cells["horizon-sgd-lr0.05-b100"].Options.Recorder.FloorLags);
        Assert.Empty(cells["horizon-sgd-lr0.2-b100"].Options.Recorder.FloorLags);
        Assert.Equal([100], cells["sgd-lr0.1-b100"].Options.Recorder.FloorLags);
        Assert.Single(cells.Values, c => c.Options.Recorder.FloorLags.Contains(800));
        var horizon = cells["horizon-sgd-lr0.1-b100"].Options;
        int[] recorded = [.. Enumerable.Range(0, 2000).Where(t => horizon.Recorder.Record.Includes(t, (t / 100) + 1))];
        Assert.Equal(10, recorded.Count(t => recorded.Contains(t - 800)));
        Assert.Equal(10, ClaimsBudget.FloorSegments(horizon.Recorder.Record, [800], null, 2000, 100));
        Assert.Equal(100, horizon.Recorder.FloorLagOrigin);
        Assert.Equal(1, ClaimsBudget.FloorSegments(horizon.Recorder.Record, [800], 100, 2000, 100));
        // The floor points the probe keeps: the recorded ones that start a segment on the grid.
        Assert.Equal([100, 900], recorded.Where(t => FloorPathProbe.OnGrid(100, 800, t + 800)));
        // The secondary reads the run that carries the lag.
        var lag = PaperClaims.Secondary.Single(t => t.Id == "4a-lag-8-epochs");
        Assert.Equal([(0.1, 100, true, false)], lag.Roles(Design).Select(r => (r.LearningRate, r.BatchSize, r.Horizon, r.FloorChain)));

        var quick = ClaimsPlan.Design(ExperimentScale.Cpu, 10, ClaimsPlan.QuickBase, horizonEpochs: 0);
        Assert.False(quick.LongLagOnHorizon());
        Assert.DoesNotContain(ClaimsPlan.Build(quick, ClaimsPlan.QuickBase).Cells, c => c.Options.Recorder.FloorLags.Contains(160));

        var paper = ClaimsPlan.Design(ExperimentScale.Paper, 10, ClaimsPlan.PaperBase);
        Assert.False(paper.LongLagOnHorizon());
        var paperBase = ClaimsPlan.Build(paper, ClaimsPlan.PaperBase).Cells.Single(c => c.Name == "sgd-lr0.1-b100-s1111").Options;
        Assert.Equal([450, 3600], paperBase.Recorder.FloorLags);
        Assert.Equal([(0.1, 100, false)], lag.Roles(paper).Select(r => (r.LearningRate, r.BatchSize, r.Horizon)));

        var older = Design with { FloorLags = [1, 10, 100] };
        Assert.Contains("floor_lags [1,10,100] there, [1,10,100,800] asked", Assert.Throws<IOException>(() => Design.Merge(older)).Message);
    }

    /// <summary>
    /// Every cell with floor lags places them on the grid claim 4a reads (<see cref="StraightFloorBarriers"/>: segments
    /// ending at t₂ + jk, t₂ the second epoch's first step; the chained windows: every one-step segment after the first
    /// epoch): at the CPU default, --quick and paper scale, the segments the probe profiles are exactly those the tests read.
    /// </summary>
    [Theory]
    [InlineData("cpu")]
    [InlineData("quick")]
    [InlineData("paper")]
    [InlineData("quick-3-epochs")] // an epoch (20 steps) shorter than the chain's window (40): the one-epoch lag is the chain's
    public void The_floor_lags_profile_exactly_the_segments_claim_4a_reads(string scale)
    {
        var shared = scale switch
        {
            "quick" => ClaimsPlan.QuickBase,
            "quick-3-epochs" => ClaimsPlan.QuickBase with { Epochs = 3 },
            "paper" => ClaimsPlan.PaperBase,
            _ => ClaimsPlan.CpuBase,
        };
        var design = scale.StartsWith("quick", StringComparison.Ordinal) ? ClaimsPlan.Design(ExperimentScale.Cpu, 10, shared, horizonEpochs: 0)
            : ClaimsPlan.Design(scale == "paper" ? ExperimentScale.Paper : ExperimentScale.Cpu, 10, shared);
        var plan = ClaimsPlan.Build(design, shared);
        Assert.Empty(plan.Validate());
        int second = (int)ClaimsPlan.StepsPerEpoch(shared, design.BatchSize); // steps count from 0: the steps per epoch
        Assert.Equal(design.ChainStart + 1, second); // the chain's first one-step segment ends there
        var lagged = plan.Cells.Where(c => c.Options.Recorder.FloorLags.Count > 0 && !ValleyControl.Runs(c.Options.Model)).ToList();
        Assert.Equal(scale switch { "cpu" => 3, "quick-3-epochs" => 1, _ => 2 }, lagged.Count(c => c.Options.Seed == design.Seeds[0])); // base, chain (and horizon at η)
        Assert.All(plan.Cells.Except(lagged).Where(c => !ValleyControl.Runs(c.Options.Model)), c => Assert.Null(c.Options.Recorder.FloorLagOrigin));
        foreach (var cell in lagged.Where(c => c.Options.Seed == design.Seeds[0]))
        {
            var o = cell.Options;
            Assert.Equal(second, o.Recorder.FloorLagOrigin);
            int steps = o.Steps ?? (second * o.Epochs);
            bool Recorded(int t) => t >= 0 && o.Recorder.Record.Includes(t, (t / second) + 1);
            foreach (int k in o.Recorder.FloorLags)
            {
                var pairs = Enumerable.Range(0, steps).Where(t => Recorded(t) && Recorded(t - k)).ToList();
                var read = pairs.Where(t => t >= second && (t - second) % k == 0);
                Assert.Equal(read, pairs.Where(t => FloorPathProbe.OnGrid(o.Recorder.FloorLagOrigin, k, t)));
                if (k == 1) Assert.Equal(pairs.Where(t => t >= second), read); // the chained path keeps every link after the first epoch
                Assert.NotEmpty(read);
            }
        }
        // Each straight-lag secondary reads a run of the plan that carries its lag (when the design plans the lag at all).
        foreach (var test in PaperClaims.Secondary.OfType<StraightFloorBarriers>())
        {
            var role = test.Roles(design).Single();
            var carriers = lagged.Where(c => c.Options.Seed == design.Seeds[0] && c.Options.LearningRate == role.LearningRate
                && c.Options.BatchSize == role.BatchSize && c.Options.Recorder.FloorLags.Contains(1) == role.FloorChain
                && (c.Options.Epochs == design.HorizonEpochs && design.HorizonEpochs > 0) == role.Horizon).ToList();
            int k = test.Id switch { "4a-lag1" => 1, "4a-lag10" => ClaimsDesign.ChainLinks, "4a-lag-epoch" => second, _ => ClaimsDesign.LongLagEpochs * second };
            if (design.FloorLags.Contains(k)) Assert.Contains(k, Assert.Single(carriers).Options.Recorder.FloorLags);
        }
        // The valley control's chain likewise, from its own second epoch (25 steps of 20 samples).
        var valley = plan.Cells.First(c => c.Name.StartsWith("control-valley-sgd", StringComparison.Ordinal)).Options.Recorder;
        Assert.Equal([1], valley.FloorLags);
        Assert.Equal(25, valley.FloorLagOrigin);
    }

    /// <summary>Every run every test asks for exists exactly once per seed, and nothing else is run.</summary>
    [Fact]
    public void The_plan_holds_exactly_the_runs_the_tests_read()
    {
        var plan = ClaimsPlan.Build(Design, ClaimsPlan.CpuBase);
        Assert.Empty(plan.Validate());
        // The tests' runs, and the negative control's: tests 1 and 5 read again on the tiny-learning-rate arm.
        var control = Design with { LearningRate = Design.ControlLearningRate };
        Assert.Equal(Design.LearningRate / ClaimsPlan.ControlFactor, Design.ControlLearningRate);
        var wanted = PaperClaims.Tests.SelectMany(t => t.Roles(Design))
            .Concat(PaperClaims.Tests.Where(t => t.Id is "1" or "5").SelectMany(t => t.Roles(control)))
            .Concat(Horizon.Tests(Design).SelectMany(t => t.Roles(Design)))
            .Select(r => (r.LearningRate, r.BatchSize, Optimizer: r.Optimizer switch { "sgd" => OptimizerKind.Sgd, "floor-sgd" => OptimizerKind.FloorSgd, _ => OptimizerKind.HeightSgd }, r.HeightFraction, r.FloorChain, r.Horizon, r.Target))
            .Distinct().ToList();
        // A role without a height fraction matches a run of any fraction (the optimizers other than height-sgd ignore it);
        // the floor-chain run is the one run that measures one-step floor segments.
        // The valley control's runs are network-free and checked below (The_valley_control_runs_...).
        var network = plan.Cells.Where(c => !ValleyControl.Runs(c.Options.Model)).ToList();
        Assert.Equal(4 * Design.Seeds.Count, plan.Cells.Count - network.Count);
        var runs = network.Select(c => (c.Options.LearningRate, c.Options.BatchSize, c.Options.Optimizer, c.Options.HeightFraction, c.Options.Seed,
            FloorChain: c.Options.Recorder.FloorLags.Contains(1), Horizon: c.Options.Epochs == Design.HorizonEpochs, Target: c.Options.StopLoss is not null)).ToList();
        Assert.Equal(wanted.Count * 3, runs.Count);
        Assert.Equal(runs.Count, runs.Distinct().Count());
        foreach (long seed in Design.Seeds)
            Assert.All(wanted, w => Assert.Single(runs, r => (r.LearningRate, r.BatchSize, r.Optimizer, r.Seed, r.FloorChain, r.Horizon, r.Target) == (w.LearningRate, w.BatchSize, w.Optimizer, seed, w.FloorChain, w.Horizon, w.Target)
                && (w.HeightFraction is not { } h || r.HeightFraction == h)));
        // Equal epochs, so distances compare; only the horizon runs train longer, and claim 4c's target runs stop at their target (cap 8).
        Assert.All(network, c => Assert.Equal(c.Name.StartsWith("horizon-", StringComparison.Ordinal) ? 20 : c.Name.StartsWith("target-", StringComparison.Ordinal) ? 8 : 2, c.Options.Epochs));
        // The sweep reruns an interrupted cell from its start, so a run keeps only its newest checkpoint.
        Assert.All(network, c => Assert.Equal(1, c.Options.KeepCheckpoints));
    }

    /// <summary>
    /// The corrugated-valley positive control: per seed SGD and floor-sgd on `valley` and `valley-flat`, recorded with the
    /// claims' own probes (profiles of the whole training split, floor path at lag 1, the claims' α grid), whatever the
    /// scale; the design tells the reporting how to find them.
    /// </summary>
    [Fact]
    public void The_valley_control_runs_its_four_cells_with_the_claims_probes()
    {
        var cells = ClaimsPlan.Build(Design, ClaimsPlan.CpuBase).Cells.Where(c => c.Options.Seed == 1112 && ValleyControl.Runs(c.Options.Model))
            .ToDictionary(c => c.Name);
        Assert.Equal(["control-valley-sgd-s1112", "control-valley-floor-sgd-s1112", "control-valley-flat-sgd-s1112", "control-valley-flat-floor-sgd-s1112"], cells.Keys);
        Assert.All(cells.Values, c => Assert.Equal(("valley", 1.5, 20, 3, 0.0, null, 500, ProbePreset.Paper, "every:1"),
            (c.Options.Dataset, c.Options.LearningRate, c.Options.BatchSize, c.Options.Epochs, c.Options.WeightDecay, c.Options.ProbeSize,
                c.Options.TrainSize, c.Options.Recorder.Probes, c.Options.Recorder.Record.Text)));
        Assert.All(cells.Values, c => Assert.Equal(ClaimsPlan.CpuBase.Recorder.Alphas, c.Options.Recorder.Alphas));
        Assert.Equal([1], cells["control-valley-sgd-s1112"].Options.Recorder.FloorLags);
        var floor = cells["control-valley-flat-floor-sgd-s1112"].Options;
        Assert.Equal((OptimizerKind.FloorSgd, FloorSearchView.Probe, 0), (floor.Optimizer, floor.FloorView, floor.Recorder.FloorLags.Count));
        Assert.Equal((1.5, 20, 50L, 4.0), (Design.Valley!.LearningRate, Design.Valley.BatchSize, Design.Valley.RecordedSteps, Design.Valley.Corrugation));
        Assert.Equal(Design.Valley, ClaimsPlan.Design(ExperimentScale.Paper, 3, ClaimsPlan.PaperBase).Valley);
        Assert.Empty(ClaimsPlan.Build(Design, ClaimsPlan.CpuBase).Validate());
        Assert.Equal(ClaimsBudget.ValleyRunSeconds, ClaimsBudget.Seconds(floor, new StepCosts(1, 1)));
        // A folder whose design predates the control keeps its plan: the control is not added to it.
        var older = Design with { Valley = null };
        Assert.Null(Design.Merge(older).Valley);
        Assert.DoesNotContain(ClaimsPlan.Build(older, ClaimsPlan.CpuBase).Cells, c => ValleyControl.Runs(c.Options.Model));
    }

    [Fact]
    public void Each_run_measures_what_its_tests_read()
    {
        var cells = ClaimsPlan.Build(Design, ClaimsPlan.CpuBase).Cells.Where(c => c.Options.Seed == 1111).ToDictionary(c => c.Name[..^6]);
        var @base = cells["sgd-lr0.1-b100"].Options.Recorder;
        RecorderOptions Recorder(string name) => cells[name].Options.Recorder;
        Assert.Equal((ProbePreset.Paper, "every:10"), (@base.Probes, @base.Record.Text));
        Assert.Equal([100], @base.FloorLags); // claim 4a's one-epoch lag, on the base's every:10 records
        // The floor chain: the base setting recording every step from the last of the first epoch, the short lags.
        var chain = Recorder("floor-chain-lr0.1-b100");
        Assert.Equal((ProbePreset.Paper, "steps:99-199"), (chain.Probes, chain.Record.Text));
        // The horizon runs: claim 2's three learning rates, 20 epochs, profiled every 10th step of epochs 2, 10 and 20.
        foreach (string lr in new[] { "0.05", "0.1", "0.2" })
        {
            var horizon = cells[$"horizon-sgd-lr{lr}-b100"].Options;
            Assert.Equal((20, ProbePreset.Paper), (horizon.Epochs, horizon.Recorder.Probes));
            int[] recorded = [.. Enumerable.Range(0, 2000).Where(t => horizon.Recorder.Record.Includes(t, (t / 100) + 1))];
            Assert.Equal([.. Enumerable.Range(10, 10).Concat(Enumerable.Range(90, 10)).Concat(Enumerable.Range(190, 10)).Select(k => k * 10)], recorded);
            Assert.Equal(lr == "0.1" ? new[] { 800 } : [], horizon.Recorder.FloorLags); // claim 4a's long lag at η
        }
        // Epochs shorter than the record interval (400 images at batch 100: 4 steps) still record each phase's first step.
        var small = ClaimsPlan.CpuBase with { TrainSize = 400 };
        var tiny = ClaimsPlan.Build(ClaimsPlan.Design(ExperimentScale.Cpu, 10, small), small).Cells.First(c => c.Name.StartsWith("horizon-", StringComparison.Ordinal));
        Assert.Equal("steps:4,36,76", tiny.Options.Recorder.Record.Text);
        Assert.Equal([1, 10], chain.FloorLags);
        Assert.Equal((0.1, 100, OptimizerKind.Sgd), (cells["floor-chain-lr0.1-b100"].Options.LearningRate, cells["floor-chain-lr0.1-b100"].Options.BatchSize,
            cells["floor-chain-lr0.1-b100"].Options.Optimizer));
        Assert.True(@base.RandomDirection); // the random-direction control of claim 1
        Assert.All(cells.Where(c => c.Key != "sgd-lr0.1-b100"), c => Assert.False(c.Value.Options.Recorder.RandomDirection));
        Assert.Equal(ProbePreset.Paper, Recorder("sgd-lr0.05-b100").Probes);
        Assert.Empty(Recorder("sgd-lr0.05-b100").FloorLags);
        // Claim 6b: the base run's gradient alignment at 10 evenly spaced steps (200 steps: every 20th), every design batch size.
        Assert.Equal("every:20", @base.Alignment.Schedule.Text);
        Assert.Equal([25, 100, 400], @base.Alignment.BatchSizes);
        Assert.Equal((10, 8), (@base.Alignment.TopK, @base.Alignment.Batches));
        Assert.All(cells.Where(c => c.Key != "sgd-lr0.1-b100"), c => Assert.False(c.Value.Options.Recorder.Alignment.Enabled));
        // 800 steps at batch 25 (10,000 images, 2 epochs) and 50 at batch 400: curvature at 6 evenly spaced steps by power iteration.
        Assert.Equal("every:133", Recorder("sgd-lr0.1-b25").Sharpness.Schedule.Text);
        Assert.Equal("every:8", Recorder("sgd-lr0.1-b400").Sharpness.Schedule.Text);
        var sharpness = Recorder("sgd-lr0.1-b25").Sharpness;
        Assert.Equal((EigenMethod.Power, 15, 0, 0), (sharpness.Eigen, sharpness.EigenIterations, sharpness.TraceSamples, sharpness.BatchSharpnessBatches));
        // Claim 2's batch factor (2b/2c): the batch-size runs are profiled, about 10 recorded steps per epoch like the base.
        Assert.Equal((ProbePreset.Paper, "every:40"), (Recorder("sgd-lr0.1-b25").Probes, Recorder("sgd-lr0.1-b25").Record.Text));
        Assert.Equal((ProbePreset.Paper, "every:2"), (Recorder("sgd-lr0.1-b400").Probes, Recorder("sgd-lr0.1-b400").Record.Text));
        Assert.Empty(Recorder("sgd-lr0.1-b25").FloorLags);
        // The equal-ratio pairs (3b: 4η × 4B, 3d: 2η × 2B) are profiled: their height is the primary statistic.
        Assert.Equal(("none", ProbePreset.Paper, "every:2"), (Recorder("sgd-lr0.4-b400").Sharpness.Schedule.Text, Recorder("sgd-lr0.4-b400").Probes,
            Recorder("sgd-lr0.4-b400").Record.Text));
        Assert.Equal((ProbePreset.Paper, "every:5"), (Recorder("sgd-lr0.2-b200").Probes, Recorder("sgd-lr0.2-b200").Record.Text));
        Assert.Equal(OptimizerKind.FloorSgd, cells["floor-sgd-lr0.1-b100"].Options.Optimizer);
        // Claim 4: floor-sgd and height-sgd at h = ¼, ½, ¾ search the probe view and are profiled like the base.
        Assert.Equal((ProbePreset.Paper, FloorSearchView.Probe), (Recorder("floor-sgd-lr0.1-b100").Probes, cells["floor-sgd-lr0.1-b100"].Options.FloorView));
        foreach (double h in new[] { 0.25, 0.5, 0.75 })
        {
            var height = cells[$"height-sgd-h{h.ToString(System.Globalization.CultureInfo.InvariantCulture)}-lr0.1-b100"].Options;
            Assert.Equal((OptimizerKind.HeightSgd, h, FloorSearchView.Probe, ProbePreset.Paper), (height.Optimizer, height.HeightFraction, height.FloorView, height.Recorder.Probes));
        }
    }

    /// <summary>
    /// Claim 4b's matched arm: with the pilot's rate in the design, one SGD run per seed at that rate and the base batch size,
    /// unprofiled, found by 4b-matched's roles; a rate the plan already runs at the base batch size is that run (same
    /// setting, same trajectory); no arm at paper scale; the folder's rate stands when a design is merged with it.
    /// </summary>
    [Fact]
    public void The_matched_arm_is_one_sgd_run_per_seed_at_the_pilots_rate()
    {
        var matched = Design with { MatchedAlpha = 0.169, MatchedLearningRate = 0.017 };
        var plan = ClaimsPlan.Build(matched, ClaimsPlan.CpuBase);
        Assert.Empty(plan.Validate());
        var arm = plan.Cells.Where(c => c.Options.LearningRate == 0.017).ToList();
        Assert.Equal(["sgd-lr0.017-b100-s1111", "sgd-lr0.017-b100-s1112", "sgd-lr0.017-b100-s1113"], arm.Select(c => c.Name));
        Assert.All(arm, c => Assert.Equal((OptimizerKind.Sgd, 100, 2, ProbePreset.Cheap, "none"),
            (c.Options.Optimizer, c.Options.BatchSize, c.Options.Epochs, c.Options.Recorder.Probes, c.Options.Recorder.Sharpness.Schedule.Text)));
        Assert.Equal(ClaimsPlan.Build(Design, ClaimsPlan.CpuBase).Cells.Count + 3, plan.Cells.Count);
        Assert.Contains("0.017", plan.Axes["learning_rate"]);
        var role = new MatchedRateDistance().Roles(matched)[0];
        Assert.Equal((0.017, 100, "sgd", false, false), (role.LearningRate, role.BatchSize, role.Optimizer, role.FloorChain, role.Horizon));
        // η/2 is claim 2's run already.
        var half = ClaimsPlan.Build(Design with { MatchedLearningRate = 0.05 }, ClaimsPlan.CpuBase);
        Assert.Empty(half.Validate());
        Assert.Equal(ClaimsPlan.Build(Design, ClaimsPlan.CpuBase).Cells.Count, half.Cells.Count);
        Assert.True(ClaimsPlan.PlansMatchedArm(Design));
        Assert.False(ClaimsPlan.PlansMatchedArm(ClaimsPlan.Design(ExperimentScale.Paper, 10, ClaimsPlan.PaperBase)));
        // The folder's design carries the pilot's result; a design written before the arm keeps none.
        Assert.Equal((0.169, 0.017), (Design.Merge(matched).MatchedAlpha, Design.Merge(matched).MatchedLearningRate));
        Assert.Equal(0, matched.Merge(Design).MatchedLearningRate);
    }

    /// <summary>η·ᾱ over the finite α, to two significant digits (machines whose sums differ in the last bits agree on it).</summary>
    [Fact]
    public void The_matched_rate_is_eta_times_the_mean_alpha_to_two_significant_digits()
    {
        var rate = FloorSgdPilot.Summarise([0.2, double.NaN, 0.1, 0.2], 0.1, 0.4712, TimeSpan.Zero);
        Assert.Equal(0.5 / 3, rate.MeanAlpha, 12);
        Assert.Equal((3, 0.017, 0.4712, 0.5), (rate.Steps, rate.LearningRate, rate.FinalLoss, rate.TargetLoss));
        Assert.Equal(0.0012, FloorSgdPilot.Round(0.00123456));
        Assert.Equal(0.017, FloorSgdPilot.Round(0.016866935907407662));
        Assert.Equal(0.017, FloorSgdPilot.Round(0.016902819266007730));
        Assert.Equal(2, FloorSgdPilot.Round(2.0));
        Assert.Throws<InvalidOperationException>(() => FloorSgdPilot.Summarise([double.NaN, double.NaN], 0.1, 0.5, TimeSpan.Zero));
        Assert.Throws<InvalidOperationException>(() => FloorSgdPilot.Summarise([0.2], 0.1, double.NaN, TimeSpan.Zero));
    }

    /// <summary>
    /// L* is the pilot's final loss rounded up to a multiple of 0.05: never below it (the pilot's seed reaches it within the
    /// plan's epochs), a loss on the grid stays where it is despite float division, and nearby losses share one L*.
    /// </summary>
    [Theory]
    [InlineData(0.4712, 0.5)]
    [InlineData(0.5, 0.5)]
    [InlineData(0.50001, 0.55)]
    [InlineData(0.45, 0.45)]
    [InlineData(0.7393533161708287, 0.75)]
    [InlineData(1.4665364027023315, 1.5)]
    [InlineData(0.003, 0.05)]
    [InlineData(0.15, 0.15)]
    [InlineData(0.3, 0.3)]
    public void The_target_loss_is_the_pilots_loss_rounded_up_to_a_multiple_of_five_hundredths(double pilotLoss, double target)
    {
        Assert.Equal(target, ClaimsPlan.TargetLossFrom(pilotLoss));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClaimsPlan.TargetLossFrom(0));
    }

    /// <summary>
    /// A pass's cost is the fastest of a few timed passes after an uncounted warm-up: one stalled pass, short or of a
    /// second or more, is never taken for the cost; a long pass is repeated only once.
    /// </summary>
    [Fact]
    public void A_stalled_pass_is_never_taken_for_the_cost()
    {
        static (double Cost, int Calls) Time(params double[] passes)
        {
            int calls = 0;
            double cost = ClaimsBudget.Fastest(() => passes[Math.Min(calls++, passes.Length - 1)]);
            return (cost, calls);
        }
        Assert.Equal((0.001, 3), Time(3, 1.5, 0.001)); // warm-up, a stall that looks like a long pass, then its repeat
        Assert.Equal((0.001, 2 + 20), Time(3, 0.3, 0.001)); // a shorter stall, then short passes
        Assert.Equal((1.2, 3), Time(9, 1.3, 1.2)); // a long pass: two timed, the faster counts
        Assert.Equal((0.2, 2 + 3), Time(1, 0.2)); // three more passes at least, then stop at half a second spent
        Assert.Equal((0.001, 2 + 20), Time(1, 0.001)); // twenty more at most
    }

    /// <summary>
    /// The pilot walks the plan's own floor-sgd run of the first seed (measuring never changes the trajectory): its mean α
    /// equals that run's, profiled as the plan profiles it, its final loss is that run's training loss outside the probe
    /// view at the end (checked there by an unreachable `--stop-loss`), L* follows from it, and it leaves no folder behind.
    /// </summary>
    [Fact]
    public void The_pilot_finds_the_mean_alpha_and_the_final_loss_of_the_plans_own_floor_sgd_run()
    {
        var shared = ClaimsPlan.CpuBase with
        {
            Dataset = "synthetic",
            Hidden = [8],
            TrainSize = 200,
            BatchSize = 50,
            ProbeSize = 50,
            Threads = 1,
            Recorder = ClaimsPlan.CpuBase.Recorder with { Record = RecordSchedule.Parse("every:2") },
        };
        var design = ClaimsPlan.Design(ExperimentScale.Cpu, 10, shared, horizonEpochs: 0);
        var pilot = FloorSgdPilot.Options(design, shared);
        Assert.Equal((OptimizerKind.FloorSgd, FloorSearchView.Probe, 1111L, ProbePreset.None, "none"),
            (pilot.Optimizer, pilot.FloorView, pilot.Seed, pilot.Recorder.Probes, pilot.Recorder.Record.Text));
        int before = Directory.GetDirectories(Path.GetTempPath(), "sgdwalk-pilot-*").Length;
        var found = FloorSgdPilot.Run(pilot)!;
        Assert.Equal(before, Directory.GetDirectories(Path.GetTempPath(), "sgdwalk-pilot-*").Length);

        var cell = ClaimsPlan.Build(design, shared).Cells.Single(c => c.Name == "floor-sgd-lr0.1-b50-s1111").Options;
        Assert.Equal((ProbePreset.Paper, (double?)null), (cell.Recorder.Probes, cell.StopLoss));
        var folder = RunFolder.Prepare(Path.Combine(Path.GetTempPath(), $"sgdwalk-test-{Guid.NewGuid():N}"), overwrite: false);
        try
        {
            Assert.Equal(RunStatus.Completed, Trainer.Run(cell with { StopLoss = 1e-9 }, folder).Status);
            double[] alphas = CsvTable.Read(folder.Steps).Numbers(Columns.FloorStepAlpha);
            Assert.Equal(8, found.Steps); // 2 epochs of 4 steps
            Assert.Equal(alphas.Average(), found.MeanAlpha);
            Assert.Equal(FloorSgdPilot.Round(0.1 * alphas.Average()), found.LearningRate);
            var end = RunManifest.Read(folder.Manifest).StopLoss!;
            Assert.Equal((false, 8), (end.Reached, end.Step));
            Assert.Equal(end.Loss, found.FinalLoss);
            Assert.Equal(ClaimsPlan.TargetLossFrom(found.FinalLoss), found.TargetLoss);
        }
        finally
        {
            Directory.Delete(folder.Path, recursive: true);
        }
    }

    /// <summary>The cost model written out by hand for one profiled run and one curvature run.</summary>
    [Fact]
    public void The_estimate_adds_up_what_each_run_does()
    {
        var costs = new StepCosts(TrainPerSample: 2e-4, ForwardPerSample: 1e-4);
        var cells = ClaimsPlan.Build(Design, ClaimsPlan.CpuBase).Cells.Where(c => c.Options.Seed == 1111).ToDictionary(c => c.Name[..^6]);
        // Base: 200 steps × 100 samples of training; 20 recorded steps × 11 α × (500 probe + 100 batch) forwards, the
        // one-epoch floor segment 1 × 11 × 500 more (steps 100, 110, ..., 190 have a partner 100 steps back, but only 100 is on
        // the grid claim 4a reads) and the random direction 20 × 11 × 500 more; 2 epochs × 15,000 evaluation forwards.
        // Alignment at 10 steps: up to 40 Lanczos products over the 500 probe samples (two passes each) and 8 gradients per batch size.
        double @base = (200 * 100 * 2e-4) + (20 * 11 * 600 * 1e-4) + (1 * 11 * 500 * 1e-4) + (20 * 11 * 500 * 1e-4) + (2 * 15_000 * 1e-4)
            + (10 * ((40 * 500 * 2) + (8 * (25 + 100 + 400))) * 2e-4);
        Assert.Equal(@base, ClaimsBudget.Seconds(cells["sgd-lr0.1-b100"].Options, costs), 9);
        // Batch 25: 800 steps × 25; curvature at ceil(800 / 133) = 7 steps, each 15 products over 500 probe samples plus
        // one over the batch, a product costing two training passes.
        // Profiled every 40th step: 20 recorded steps × 11 α × (500 probe + 25 batch) forwards.
        double small = (800 * 25 * 2e-4) + (20 * 11 * 525 * 1e-4) + (7 * ((15 * 500) + 25) * 2 * 2e-4) + (2 * 15_000 * 1e-4);
        Assert.Equal(small, ClaimsBudget.Seconds(cells["sgd-lr0.1-b25"].Options, costs), 9);
        // floor-sgd: a line search of 21 probe-view forwards per step (0, 0.1, ..., 2; at least), and profiles as the base's
        // without the floor path: 20 recorded steps × 11 α × (500 probe + 100 batch).
        double floor = (200 * 100 * 2e-4) + (20 * 11 * 600 * 1e-4) + (200 * 21 * 500 * 1e-4) + (2 * 15_000 * 1e-4);
        Assert.Equal(floor, ClaimsBudget.Seconds(cells["floor-sgd-lr0.1-b100"].Options, costs), 9);
        // The floor chain: 101 recorded steps, 100 one-step segments and 9 ten-step ones (ending at 110, 120, ..., 190, the
        // grid; 91 recorded pairs are 10 steps apart).
        double chain = (200 * 100 * 2e-4) + (101 * 11 * 600 * 1e-4) + ((100 + 9) * 11 * 500 * 1e-4) + (2 * 15_000 * 1e-4);
        Assert.Equal(chain, ClaimsBudget.Seconds(cells["floor-chain-lr0.1-b100"].Options, costs), 9);
        // The target runs at their cap (an upper bound): 800 steps × 100 samples; a stop check of the 9,500 images outside
        // the probe view every 10 steps (80) and at the 8 epoch ends; 8 epochs × 15,000 evaluation forwards; the end
        // curvature, 20 Lanczos and 10 trace products over the 500 probe samples at two passes each; floor-sgd's line search besides.
        double target = (800 * 100 * 2e-4) + ((80 + 8) * 9_500 * 1e-4) + (8 * 15_000 * 1e-4) + ((20 + 10) * 500 * 2 * 2e-4);
        Assert.Equal(target, ClaimsBudget.Seconds(cells["target-sgd-lr0.1-b100"].Options, costs), 9);
        Assert.Equal(target + (800 * 21 * 500 * 1e-4), ClaimsBudget.Seconds(cells["target-floor-sgd-lr0.1-b100"].Options, costs), 9);
    }

    [Theory]
    [InlineData("every:10", 200, 100, 20)]
    [InlineData("steps:0-49+every:10", 200, 100, 65)] // steps 0-49, then 50, 60, ..., 190
    [InlineData("none", 200, 100, 0)]
    [InlineData("all", 200, 100, 200)]
    public void The_estimate_counts_exactly_the_steps_a_schedule_selects(string schedule, int steps, int stepsPerEpoch, int expected)
    {
        var parsed = RecordSchedule.Parse(schedule);
        Assert.Equal(expected, ClaimsBudget.Count(parsed, steps, stepsPerEpoch));
        Assert.Equal(Enumerable.Range(0, steps).Count(s => parsed.Includes(s, (s / stepsPerEpoch) + 1)), ClaimsBudget.Count(parsed, steps, stepsPerEpoch));
    }

    [Fact]
    public void Step_costs_are_measured_positive_and_a_training_pass_costs_more_than_a_forward_pass()
    {
        var costs = ClaimsBudget.Measure(ClaimsPlan.CpuBase with { Dataset = "synthetic", Hidden = [64, 64], Threads = 1 }, batch: 64);
        Assert.True(costs.ForwardPerSample > 0);
        Assert.True(costs.TrainPerSample > costs.ForwardPerSample, $"{costs}");
    }
}
