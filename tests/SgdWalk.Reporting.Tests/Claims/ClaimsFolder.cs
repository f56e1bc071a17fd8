using System.Globalization;
using System.Text.Json.Nodes;
using SgdWalk.Records;
using SgdWalk.Records.Claims;
using SgdWalk.Reporting.Claims;

namespace SgdWalk.Reporting.Tests.Claims;

/// <summary>
/// How the hand-made runs behave: every quantity a claim reads, as a function of the run's role, with noise.
/// <see cref="ClaimsFolder"/> writes run folders (run.json, steps.csv, epochs.csv) that carry these effects.
/// </summary>
internal sealed record World
{
    public Func<Random, double> Interior { get; init; } = _ => 1;
    /// <summary>Interior floors after epoch 2 of a horizon run (null: as <see cref="Interior"/>): a claim that holds early only.</summary>
    public Func<Random, double>? LateInterior { get; init; }
    // Run-level quantities also see the seed's index (0, 1, 2, ...), so a world can make seeds disagree.
    public Func<double, int, Random, double> Height { get; init; } = (lr, _, _) => lr;
    /// <summary>A factor on the height by batch size (claim 2's batch factor, 2b/2c); 1 = the batch size does not move it.</summary>
    public Func<int, double> BatchHeight { get; init; } = _ => 1;
    /// <summary>‖u_t‖ of every step of a run by optimizer (the path length of 4b's secondary).</summary>
    public Func<string, double> StepNorm { get; init; } = _ => 0.01;
    /// <summary>floor-sgd's chosen α on every step (floor_step_alpha; empty in SGD runs).</summary>
    public double FloorStepAlpha { get; init; } = 1.5;
    /// <summary>Steps per epoch of a run at batch size B; null = <see cref="ClaimsFolder.Rows"/>/2 for every run.</summary>
    public Func<int, int>? StepsPerEpoch { get; init; }
    /// <summary>‖θ_t − θ₀‖ after step t of a run at batch size B (3a/3c); null = rising linearly to <see cref="Distance"/> at the end.</summary>
    public Func<int, int, Random, double>? DistanceAtStep { get; init; }
    public Func<double, int, Random, double> Distance { get; init; } = (batch, _, _) => 1 / batch;
    public Func<int, Random, double> PairFactor { get; init; } = (_, _) => 2;
    /// <summary>Whether a floor segment (one link of the chained floor path, or a straight segment) has a bump of <see cref="BumpSize"/>.</summary>
    public Func<Random, double> FloorBarrier { get; init; } = _ => 0.1;
    /// <summary>The probe view's loss at SGD's iterates; the floor points sit at 1 (claim 4a's pass-over secondary).</summary>
    public double IterateLoss { get; init; } = 2;
    public Func<int, Random, double> FloorSgdFactor { get; init; } = (_, _) => 0.5;
    public Func<int, Random, double> FloorSgdAccuracyDelta { get; init; } = (_, _) => -0.05;
    /// <summary>4b's matched arm: SGD at this learning rate (null: a design without the arm) travels <see cref="MatchedFactor"/> times as far as SGD at η.</summary>
    public double? MatchedRate { get; init; }
    public Func<int, Random, double> MatchedFactor { get; init; } = (_, _) => 0.4;
    public Func<Random, double> Cosine { get; init; } = _ => -0.3;
    public Func<Random, double> Bump { get; init; } = _ => 0;
    /// <summary>The size of a bump or floor barrier when there is one (heights are about 1 in the worlds of the tests).</summary>
    public double BumpSize { get; init; } = 1;
    public Func<double, int, Random, double> Alignment { get; init; } = (batch, _, _) => batch / 1000;
    /// <summary>S_t/λ_max of a run at batch size B (6b's secondary); null = the same as <see cref="Alignment"/>.</summary>
    public Func<double, int, Random, double>? CurvatureRatio { get; init; }

    /// <summary>When set, runs write train_loss: 2.3 falling to 0.5 when they train, flat at 2.3 when this says (lr, batch, optimizer, seed index) they do not.</summary>
    public Func<double, int, string, int, bool>? DidNotTrain { get; init; }

    // The negative control's arm (a tiny learning rate): floors at the α = 1 edge, consecutive gradients alike.
    public Func<Random, double> ControlInterior { get; init; } = _ => 0;
    public Func<Random, double> ControlCosine { get; init; } = _ => 0.3;
    // The random-direction control: profiles along a random direction of the step's length, no interior floor.
    public Func<Random, double> RandomInterior { get; init; } = _ => 0;

    /// <summary>The corrugated-valley positive control's runs (<see cref="ValleyWorld"/>); null = a design written before it.</summary>
    public ValleyWorld? Valley { get; init; }

    // Claim 4c's target runs (SGD and floor-sgd stopped at the training-loss target): floor-sgd's test accuracy minus
    // SGD's there (null: as FloorSgdAccuracyDelta), which arms of which seed (index) hit their cap first, the steps each
    // needed, floor-sgd's test loss minus SGD's, and λ_max and the trace at the end by optimizer.
    public Func<int, Random, double>? TargetAccuracyDelta { get; init; }
    public Func<string, int, bool> MissesTarget { get; init; } = (_, _) => false;
    public Func<string, double> TargetSteps { get; init; } = optimizer => optimizer == "sgd" ? 60 : 150;
    public double TargetTestLossDelta { get; init; } = 0.05;
    public Func<string, Random, double> EndLambdaMax { get; init; } = (optimizer, r) => (optimizer == "sgd" ? 10 : 20) * (1 + (0.05 * Normal(r)));
    public Func<string, Random, double> EndTrace { get; init; } = (optimizer, r) => (optimizer == "sgd" ? 500 : 400) * (1 + (0.05 * Normal(r)));

    public static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    public static Func<Random, double> Bernoulli(double p) => r => r.NextDouble() < p ? 1 : 0;
}

/// <summary>How the valley control's runs behave, by model (`valley` or `valley-flat`).</summary>
internal sealed record ValleyWorld
{
    /// <summary>Whether a floor segment of SGD's crosses a barrier (of height 1, heights about 1).</summary>
    public Func<string, Func<Random, double>> FloorBarrier { get; init; } = model => model == ValleyControl.Corrugated ? World.Bernoulli(0.5) : _ => 0;

    /// <summary>floor-sgd's distance from θ₀ as a multiple of SGD's (a stall is below a quarter).</summary>
    public Func<string, double> FloorSgdFactor { get; init; } = model => model == ValleyControl.Corrugated ? 0.05 : 2;
}

/// <summary>A claims folder written by hand: claims-design.json and one run folder per role and seed.</summary>
internal sealed class ClaimsFolder : IDisposable
{
    public const int Rows = 80; // by default every run has two epochs of 40 steps; the tests read the second

    /// <summary>The floor-chain run's one-step segments: 32 windows of 10 per seed (12 seeds × 32 = 384 ≥ the 368 that 4a's "< 1 %" needs).</summary>
    public const int ChainSteps = 320;

    /// <summary>What every planned run shares (sweep.json's "shared", as run.json spells them).</summary>
    public static readonly JsonObject Shared = new() { ["model"] = "mlp", ["dataset"] = "fashion-mnist", ["epochs"] = 2, ["threads"] = 1 };

    private readonly List<SweepManifestCell> cells = [];

    /// <summary>The horizon runs' length when a folder has them and asks for no other (phases: epochs 2, 3 and 6).</summary>
    public const int HorizonEpochs = 6;

    /// <summary>Claim 4c's training-loss target and the target runs' cap when a folder has them.</summary>
    public const double TargetLoss = 0.5;

    public const int TargetEpochs = 4;

    /// <param name="target">Write claim 4c's target runs (false: a design written before them, without target_loss).</param>
    /// <param name="horizonEpochs">The horizon runs' length (phases: epochs 2, half of it and all of it, as the plan's).</param>
    /// <param name="longLag">Give claim 4a's long lag to the horizon run when its phases pair up (false: a design written before it).</param>
    public ClaimsFolder(World world, int seeds = ClaimTest.DefaultSeeds, int noiseSeed = 1, bool horizon = false, bool target = true,
        int horizonEpochs = HorizonEpochs, bool longLag = true)
    {
        Path = Directory.CreateTempSubdirectory("sgdwalk-claims-").FullName;
        Design = new ClaimsDesign
        {
            LearningRate = 0.1,
            BatchSize = 100,
            LearningRates = [0.05, 0.1, 0.2],
            BatchSizes = [25, 100, 400],
            PairLearningRate = 0.4,
            PairBatchSize = 400,
            PairFactors = [2, 4],
            HeightFractions = [0.25, 0.5, 0.75],
            ControlLearningRate = 0.001,
            MatchedLearningRate = world.MatchedRate ?? 0,
            MatchedAlpha = (world.MatchedRate ?? 0) / 0.1,
            FloorLags = [1, 10, Rows / 2],
            ChainStart = ChainSteps - 1,
            ChainSteps = ChainSteps,
            HorizonEpochs = horizon ? horizonEpochs : 0,
            PhaseEpochs = horizon ? [2, horizonEpochs / 2, horizonEpochs] : [],
            Seeds = [.. Enumerable.Range(0, seeds).Select(i => 1111L + i)],
            Valley = world.Valley is null ? null : new ValleyControl { LearningRate = 1.5, BatchSize = 20, RecordedSteps = 50, Corrugation = 4, Landscape = "L = 4·sin x" },
            TargetLoss = target ? TargetLoss : null,
            TargetEpochs = target ? TargetEpochs : 0,
        };
        // Claim 4a's long lag when the horizon's phases pair up, as the plan gives it (the base runs are too short for it).
        if (longLag && Design.LongLagOnHorizon()) Design = Design with { FloorLags = [.. Design.FloorLags, ClaimsDesign.LongLagEpochs * (Rows / 2)] };
        Design.WriteOrCheck(Path);
        var random = new Random(noiseSeed);
        foreach (long seed in Design.Seeds)
        {
            int s = (int)(seed - Design.Seeds[0]);
            foreach (double lr in Design.LearningRates) Write(world, random, lr, 100, seed, s, "sgd");
            Write(world, random, 0.1, 100, seed, s, "sgd", chain: true);
            if (horizon)
                foreach (double lr in Design.LearningRates) Write(world, random, lr, 100, seed, s, "sgd", epochs: horizonEpochs);
            Write(world, random, 0.1, 25, seed, s, "sgd");
            Write(world, random, 0.1, 400, seed, s, "sgd");
            Write(world, random, 0.4, 400, seed, s, "sgd");
            Write(world, random, 0.2, 200, seed, s, "sgd");
            Write(world, random, 0.1, 100, seed, s, "floor-sgd");
            foreach (double h in Design.HeightFractions) Write(world, random, 0.1, 100, seed, s, "height-sgd", h);
            Write(world, random, 0.001, 100, seed, s, "sgd");
            if (world.MatchedRate is { } matched) Write(world, random, matched, 100, seed, s, "sgd");
            if (target)
                foreach (string optimizer in new[] { "sgd", "floor-sgd" }) WriteTarget(world, new Random((int)seed + 7), optimizer, seed, s);
            if (world.Valley is { } valley)
                foreach (string model in new[] { ValleyControl.Corrugated, ValleyControl.Flat })
                    // Their own noise, so the network's runs are the same with and without them.
                    foreach (string optimizer in new[] { "sgd", "floor-sgd" }) WriteValley(valley, new Random((int)seed), model, optimizer, seed);
        }
        new SweepManifest { Experiment = "claims", Shared = (JsonObject)Shared.DeepClone(), Cells = cells }.Write(System.IO.Path.Combine(Path, SweepManifest.FileName));
    }

    public string Path { get; }

    public ClaimsDesign Design { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);

    /// <summary>
    /// A target run of claim 4c: run.json with stop_loss (reached, or not when the world says the arm missed), the steps
    /// and end_curvature; epochs.csv's last row the evaluation at the stop (test accuracy and loss).
    /// </summary>
    private void WriteTarget(World w, Random r, string optimizer, long seed, int s)
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"target-{optimizer}-lr0.1-b100-s{seed}");
        var folder = new RunFolder(System.IO.Path.Combine(Path, name));
        Directory.CreateDirectory(folder.Path);
        var own = new JsonObject
        {
            ["learning_rate"] = 0.1, ["batch_size"] = 100, ["optimizer"] = optimizer, ["seed"] = seed, ["epochs"] = TargetEpochs, ["stop_loss"] = TargetLoss,
            ["end_curvature"] = true,
        };
        cells.Add(new SweepManifestCell { Index = cells.Count, Name = name, Options = (JsonObject)own.DeepClone() });
        var options = (JsonObject)Shared.DeepClone();
        foreach (var (key, value) in own) options[key] = value?.DeepClone();
        bool missed = w.MissesTarget(optimizer, s);
        int steps = missed ? TargetEpochs * 100 : (int)w.TargetSteps(optimizer);
        new RunManifest
        {
            Status = RunStatus.Completed, Seed = seed, Options = options, Counts = { ["steps"] = steps },
            StopLoss = new LossTarget
            {
                Target = TargetLoss, View = "outside-probe", Images = 9_500, CheckEvery = 10, Reached = !missed, Step = steps,
                Loss = missed ? 0.6 : TargetLoss - 0.005, Accuracy = 0.8,
            },
            EndCurvature = new EndCurvature
            {
                Step = steps, LambdaMax = w.EndLambdaMax(optimizer, r), Trace = w.EndTrace(optimizer, r), TraceStandardError = 1, Eigen = "lanczos",
                EigenIterations = 20, TraceSamples = 10, ProbeSamples = 500,
            },
        }.Write(folder.Manifest);
        File.WriteAllLines(folder.Steps, ["step,epoch", "0,1", string.Create(CultureInfo.InvariantCulture, $"{steps - 1},{1 + ((steps - 1) / 100)}")]);
        bool floor = optimizer == "floor-sgd";
        double accuracy = 0.85 + (floor ? (w.TargetAccuracyDelta ?? w.FloorSgdAccuracyDelta)(s, r) : 0) + (0.002 * World.Normal(r));
        double testLoss = 0.55 + (floor ? w.TargetTestLossDelta : 0) + (0.002 * World.Normal(r));
        File.WriteAllLines(folder.Epochs, ["epoch,step,test_loss,test_acc",
            string.Create(CultureInfo.InvariantCulture, $"{1 + ((steps - 1) / 100)},{steps},{testLoss},{accuracy}")]);
    }

    /// <summary>A valley-control run: three epochs of 25 steps, SGD's with a floor path, floor-sgd's travelling its factor of SGD's distance.</summary>
    private void WriteValley(ValleyWorld w, Random r, string model, string optimizer, long seed)
    {
        string name = $"control-{model}-{optimizer}-s{seed}";
        var folder = new RunFolder(System.IO.Path.Combine(Path, name));
        Directory.CreateDirectory(folder.Path);
        var own = new JsonObject { ["model"] = model, ["dataset"] = "valley", ["learning_rate"] = 1.5, ["batch_size"] = 20, ["optimizer"] = optimizer, ["seed"] = seed };
        if (optimizer == "sgd") own["floor_lags"] = new JsonArray(JsonValue.Create(1)); // the chained floor path, as the plan records it
        cells.Add(new SweepManifestCell { Index = cells.Count, Name = name, Options = (JsonObject)own.DeepClone() });
        var options = (JsonObject)Shared.DeepClone();
        foreach (var (key, value) in own) options[key] = value?.DeepClone();
        new RunManifest { Status = RunStatus.Completed, Seed = seed, Options = options }.Write(folder.Manifest);
        double distance = 100 * (1 + (0.1 * World.Normal(r))) * (optimizer == "floor-sgd" ? w.FloorSgdFactor(model) : 1);
        var lines = new List<string> { "step,epoch,dist_init,probe_loss_start,probe_height" };
        // SGD's one-step floor segments (profiles.csv, view floor-k1): floor points at 1, a bump of 1 when FloorBarrier says so.
        var profiles = new List<string> { "step,view,alpha,loss,accuracy" };
        for (int t = 0; t < 75; t++)
        {
            lines.Add(string.Join(',', new object[] { t, 1 + (t / 25), distance * (t + 1) / 75, 1000, 1 + (0.1 * r.NextDouble()) }
                .Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
            if (optimizer != "sgd" || t == 0) continue;
            double top = 1 + w.FloorBarrier(model)(r);
            foreach (var (alpha, loss) in new[] { (0.0, 1.0), (0.5, top), (1.0, 1.0) })
                profiles.Add(string.Create(CultureInfo.InvariantCulture, $"{t},floor-k1,{alpha},{loss},0.5"));
        }
        File.WriteAllLines(folder.Steps, lines);
        if (optimizer == "sgd") File.WriteAllLines(folder.Profiles, profiles);
    }

    private void Write(World w, Random r, double lr, int batch, long seed, int s, string optimizer, double heightFraction = 0.5, bool chain = false,
        int epochs = 2)
    {
        string name = optimizer == "height-sgd"
            ? string.Create(CultureInfo.InvariantCulture, $"{optimizer}-h{heightFraction}-lr{lr}-b{batch}-s{seed}")
            : string.Create(CultureInfo.InvariantCulture, $"{(chain ? "floor-chain" : epochs > 2 ? "horizon-sgd" : optimizer)}-lr{lr}-b{batch}-s{seed}");
        // The floor lags as the plan gives them: the short ones to the floor-chain run, one epoch to the base run, the long
        // one to the horizon run at the base rate when the design puts it there.
        bool @base = !chain && epochs == 2 && optimizer == "sgd" && lr == Design.LearningRate && batch == Design.BatchSize;
        bool horizonLag = epochs > 2 && lr == Design.LearningRate && Design.LongLagOnHorizon() && Design.FloorLags.Contains(ClaimsDesign.LongLagEpochs * (Rows / 2));
        int[] lags = chain ? [1, 10] : @base ? [Rows / 2] : horizonLag ? [ClaimsDesign.LongLagEpochs * (Rows / 2)] : [];
        var folder = new RunFolder(System.IO.Path.Combine(Path, name));
        Directory.CreateDirectory(folder.Path);
        var own = new JsonObject { ["learning_rate"] = lr, ["batch_size"] = batch, ["optimizer"] = optimizer, ["height_fraction"] = heightFraction, ["seed"] = seed };
        if (lags.Length > 0) own["floor_lags"] = new JsonArray([.. lags.Select(k => JsonValue.Create(k))]);
        if (epochs != 2) own["epochs"] = epochs;
        cells.Add(new SweepManifestCell { Index = cells.Count, Name = name, Options = (JsonObject)own.DeepClone() });
        var options = (JsonObject)Shared.DeepClone();
        foreach (var (key, value) in own) options[key] = value?.DeepClone();
        new RunManifest { Status = RunStatus.Completed, Seed = seed, Options = options }.Write(folder.Manifest);

        bool pair = batch != Design.BatchSize && lr / Design.LearningRate == batch / (double)Design.BatchSize, floor = optimizer == "floor-sgd", control = lr == Design.ControlLearningRate;
        // A pair run (κη × κB) travels PairFactor times as far as the base run of its seed, and walks PairFactor times as
        // high (not as its own learning rate and batch size would).
        // height-sgd at h travels FloorSgdFactor^(1 − h) times as far as SGD: floor-sgd's factor at h = 0, SGD's 1 at h = 1.
        double aboveFloor = floor ? w.FloorSgdFactor(s, r) : optimizer == "height-sgd" ? Math.Pow(w.FloorSgdFactor(s, r), 1 - heightFraction)
            : lr == w.MatchedRate ? w.MatchedFactor(s, r) : 1;
        double distance = w.Distance(pair ? Design.BatchSize : batch, s, r) * (pair ? w.PairFactor(s, r) : 1) * aboveFloor;
        int perEpoch = chain ? ChainSteps : w.StepsPerEpoch?.Invoke(batch) ?? (Rows / 2), rows = epochs * perEpoch;
        var lines = new List<string>
        {
            (w.DidNotTrain is null ? "" : "train_loss,") + "step,epoch,step_norm,floor_step_alpha,dist_init,cos_grad,probe_loss_start,probe_interior,probe_nonconvexity,random_interior,random_nonconvexity,probe_height,probe_bump,step_sharpness,lambda_max," +
                "align_k10_b25,align_k10_b25_se,align_k10_b100,align_k10_b100_se,align_k10_b400,align_k10_b400_se",
        };
        for (int t = 0; t < rows; t++)
        {
            double interior = control ? w.ControlInterior(r) : t >= 2 * perEpoch && w.LateInterior is { } late ? late(r) : w.Interior(r);
            double alignment = (w.CurvatureRatio ?? w.Alignment)(batch, s, r);
            string loss = w.DidNotTrain is null ? "" : string.Create(CultureInfo.InvariantCulture,
                $"{(w.DidNotTrain(lr, batch, optimizer, s) ? 2.3 : 2.3 - (1.8 * t / rows))},");
            lines.Add(loss + string.Join(',', new object[]
            {
                t, 1 + (t / perEpoch), w.StepNorm(optimizer), floor ? w.FloorStepAlpha : double.NaN, w.DistanceAtStep?.Invoke(batch, t, r) ?? (distance * (t + 1) / rows), control ? w.ControlCosine(r) : w.Cosine(r), w.IterateLoss,
                interior, interior == 1 ? 0.01 : 0.2, w.RandomInterior(r), 0.01,
                pair ? w.Height(Design.LearningRate, s, r) * w.PairFactor(s, r) : w.Height(lr, s, r) * w.BatchHeight(batch),
                w.Bump(r) == 1 ? w.BumpSize : 0, 3 * alignment, 3,
                // The alignment probe of this run: every batch size measured at the same θ (claim 6b reads the base run's).
                w.Alignment(25, s, r), 0.01, w.Alignment(100, s, r), 0.01, w.Alignment(400, s, r), 0.01,
            }.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
        }
        File.WriteAllLines(folder.Steps, lines);
        // The floor segments φ_{t−k} → φ_t after the first epoch (profiles.csv): floor points at loss 1, a bump of BumpSize
        // in the middle when FloorBarrier says so; one-step segments from the chain's first recorded step, longer ones
        // ending at steps divisible by the lag (the ones claim 4a's secondaries read); on a horizon run, every segment
        // joining two of its phases (the runs record the phases only).
        var profiles = new List<string> { "step,view,alpha,loss,accuracy" };
        bool Phase(int step) => Design.PhaseEpochs.Contains(1 + (step / perEpoch));
        foreach (int k in lags)
            for (int t = perEpoch; t < rows; t++)
            {
                if (horizonLag ? !(Phase(t) && Phase(t - k)) : k > 1 && (t % k != 0 || (chain && t - k < ChainSteps - 1))) continue;
                double top = 1 + (w.FloorBarrier(r) == 1 ? w.BumpSize : 0);
                foreach (var (alpha, loss) in new[] { (0.0, 1.0), (0.5, top), (1.0, 1.0) })
                    profiles.Add(string.Create(CultureInfo.InvariantCulture, $"{t},floor-k{k},{alpha},{loss},0.5"));
            }
        if (lags.Length > 0) File.WriteAllLines(folder.Profiles, profiles);
        double accuracy = 0.85 + (floor ? w.FloorSgdAccuracyDelta(s, r) : 0) + (0.002 * World.Normal(r));
        // The angle and the disagreement with θ₀ at the end follow the L2 distance (claim 3a's secondaries).
        File.WriteAllLines(folder.Epochs, ["epoch,test_acc,angle_init,disagree_init", "1,0.8,0.1,0.1",
            string.Create(CultureInfo.InvariantCulture, $"2,{accuracy},{distance},{Math.Min(1, distance / 10)}")]);
    }
}
