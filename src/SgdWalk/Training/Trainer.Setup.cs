using System.Diagnostics;
using SgdWalk.Checkpoints;
using SgdWalk.Data;
using SgdWalk.Formats;
using SgdWalk.Landscape;
using SgdWalk.Models;
using SgdWalk.Platform;
using SgdWalk.Probes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>The parts of a run, built from its options before <see cref="Train"/> takes the first step.</summary>
public sealed partial class Trainer
{
    private readonly TrainOptions options;
    private readonly RunJournal journal;
    private readonly DataBundle data;
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly string[] parameterNames;
    private readonly Device device;
    private readonly SgdOptimizer optimizer;
    private readonly EpochSampler sampler;
    private readonly Augmenter? augmenter;
    private readonly LearningRateSchedule schedule;
    private readonly int stepsPerEpoch, totalSteps, totalEpochs;
    private readonly WalkRecorder recorder;
    private readonly MemoryTrace memory;
    private readonly FloorStep? floorStep;
    private readonly DataView? floorView;
    private readonly EpochLog epochs;
    private readonly StopCheck? stopCheck;
    private readonly int probeSamples;
    private readonly TensorBoardLog? tensorBoard;
    private readonly CheckpointStore checkpoints;
    private readonly CheckpointHeader? start;
    private readonly double startWallSeconds, startEvaluationSeconds;
    private readonly Stopwatch wall = new(), evaluation = new();

    private static TrainingResult Execute(TrainOptions options, RunJournal journal, CheckpointFile? checkpoint, bool resuming,
        Action<TrainingProgress>? progress, CancellationToken cancel, DataCache? cache = null)
    {
        set_num_threads(options.Threads ?? Environment.ProcessorCount);
        return journal.Track(() =>
        {
            // One boundary for every tensor the run makes and does not free itself: a process that runs many runs (a
            // sweep, a warm `--jobs` worker) holds after each exactly what it held before (the data cache's splits detach).
            using var runScope = NewDisposeScope();
            var device = torch.device(options.Device);
            var clock = Stopwatch.StartNew();
            // A sweep's cells borrow their data from the process's cache (loaded once per dataset); a lone run loads its own.
            using var lease = RunSetup.BorrowData(options, cache);
            var data = lease.Data;
            // Loading is a one-off phase whose transient memory goes back; borrowed data took none (and a trim would
            // make the run fault in again the pages the previous run freed).
            if (lease.Loaded) HeapTrim.AfterOneOffPhase();
            journal.DataLoaded(data, clock.Elapsed);

            using var model = RunSetup.BuildModel(options, data.Train);
            // Weights trained elsewhere replace the seeded θ_0 (a checkpoint, when resuming, replaces both).
            if (checkpoint is null && options.InitFrom is { } weights) journal.InitialisedFrom(weights, () => StateDictFile.LoadInto(model, weights));
            model.to(device);
            var parameters = model.parameters().Where(p => p.requires_grad).ToList();
            journal.ModelBuilt(parameters.Sum(p => p.numel()));
            if (model is TorchScriptModel torchScript) journal.ModelLoaded(torchScript);
            if (checkpoint is not null) ResumePlan.CheckModel(checkpoint, model, data);
            if (resuming) journal.Resumed(checkpoint);
            // Disk space for the checkpoints kept (plus one being written) is checked before the first step.
            journal.Folder.CheckWritable(CheckpointBytes(model, options) * (options.KeepCheckpoints + 2));
            if (options.ProbeSizeAuto) options = CalibrateProbeSize(options, model, parameters, data, device, journal);

            var trainer = new Trainer(options, journal, data, model, parameters, device, checkpoint);
            try
            {
                trainer.wall.Start();
                var result = trainer.Train(progress, cancel);
                journal.Folder.DeleteReplacedRun(); // ended without an error: a run replaced by --overwrite is given up now
                return result;
            }
            finally
            {
                trainer.Release();
            }
        });
    }

    private Trainer(TrainOptions options, RunJournal journal, DataBundle data, nn.Module<Tensor, Tensor> model, IReadOnlyList<Parameter> parameters,
        Device device, CheckpointFile? resume)
    {
        (this.options, this.journal, this.data, this.model, this.parameters, this.device) = (options, journal, data, model, parameters, device);
        var streams = new SeedStreams(options.Seed);
        var folder = journal.Folder;
        optimizer = new SgdOptimizer(parameters, options.Momentum, options.WeightDecay, options.Nesterov, IsotropicNoise(streams));
        journal.StepPassChecked(SgdOptimizer.PassRoundsAsLibTorch(options.Momentum, options.WeightDecay, options.Nesterov));
        // θ_0 on disk, so `sgdwalk barrier RUN:initial RUN:final` can measure the straight path later.
        Directory.CreateDirectory(folder.Checkpoints);
        if (resume is null) model.save(Path.Combine(folder.Checkpoints, "initial.dat"));
        sampler = new EpochSampler(data.Train.Count, options.BatchSize, streams.Order);
        // Pad with black as torchvision does before normalising: (0 − mean) / std in normalised units.
        augmenter = options.Augment ?? data.AugmentByDefault
            ? new Augmenter(streams.Augmentation, 4, data.Mean.Zip(data.Std, (m, s) => -m / s).ToArray())
            : null;
        stepsPerEpoch = sampler.BatchesPerEpoch;
        totalSteps = options.Steps ?? options.Epochs * stepsPerEpoch;
        totalEpochs = (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch;
        schedule = LearningRateSchedule.Parse(options.Schedule, options.LearningRate, totalSteps / (double)stepsPerEpoch);

        // The probe view: a fixed, seeded subset of the training split, chunked as the BN policy requires.
        var probeIndices = RunSetup.ProbeSubset(data.Train.Count, options.ProbeSize, streams.ProbeSubset);
        int probeChunk = RunSetup.EvaluationChunk(options, options.Recorder.BatchNorm == BatchNormPolicy.BatchStats);
        using (var subset = data.Train.Select(probeIndices))
        {
            var probeView = DataView.Own("probe", subset.Inputs().to(device), subset.Labels.to(device), probeChunk);
            var lengths = resume?.Header.CsvLengths;
            // The alignment's gradient batches come from the training split without the probe subset (V_k's Hessian data).
            var alignmentPool = !options.Recorder.Alignment.Enabled ? null
                : new SamplePool(data.Train, SamplePool.Complement(data.Train.Count, probeIndices), device);
            recorder = new WalkRecorder(model, options.ToRecorderOptions(), folder.Path, probeView,
                resumeAt: lengths is null ? null : (lengths["steps"], lengths["profiles"]), alignmentPool: alignmentPool,
                // floor-sgd / height-sgd log the α each step landed on.
                loopColumns: options.Optimizer == OptimizerKind.Sgd ? null : [Records.Columns.FloorStepAlpha],
                // Plain SGD is the only writer of the parameters within a step, so the cheap preset can form u_t from
                // its rule; floor-sgd and height-sgd move θ_{t+1} after it.
                optimizer: options.Optimizer == OptimizerKind.Sgd ? optimizer : null);
        }
        journal.ProbeSamples(probeSamples = probeIndices.Length);
        memory = new MemoryTrace(folder.Path, resume?.Header.Step);

        tensorBoard = options.TensorBoard ? new TensorBoardLog(Path.Combine(folder.Path, "events")) : null;
        // Resuming, the model holds the seeded initialisation until Restore below: θ_0 is read back from initial.dat.
        epochs = new EpochLog(model, data, probeIndices, device, options.EvaluationChunkSize, folder.Epochs, resume?.Header.CsvLengths["epochs"], tensorBoard,
            resume is null ? null : Path.Combine(folder.Checkpoints, "initial.dat"));

        // `--stop-loss`: the training loss checked against the target, on the images outside the probe view (StopCheck).
        if (options.StopLoss is { } target)
        {
            stopCheck = new StopCheck(model, data.Train, probeIndices, device, options.EvaluationChunkSize, target, stepsPerEpoch);
            journal.StopLoss(stopCheck.Record);
        }

        // The interventions floor-sgd / height-sgd search the floor on the step's batch or on a copy of the probe set.
        if (options.Optimizer != OptimizerKind.Sgd)
        {
            var surface = new LossSurface(model, LossSurface.CrossEntropy, options.Recorder.BatchNorm);
            floorStep = new FloorStep(surface, parameters, options.Optimizer == OptimizerKind.FloorSgd ? 0 : options.HeightFraction);
            if (options.FloorView == FloorSearchView.Probe)
                using (var scope = NewDisposeScope()) // frees the handles `to` returns; the view keeps its clones
                using (var subset = data.Train.Select(probeIndices))
                    floorView = DataView.Own("floor-search", subset.Inputs().to(device), subset.Labels.to(device).clone(), probeChunk);
        }
        checkpoints = new CheckpointStore(folder.Checkpoints, options.KeepCheckpoints);
        parameterNames = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToArray();
        if (resume is not null)
        {
            Restore(resume);
            start = resume.Header;
            startWallSeconds = start.Counters.GetValueOrDefault("wall_s");
            startEvaluationSeconds = start.Counters.GetValueOrDefault("evaluation_s");
        }
        // Checkpoints newer than the one resumed from belong to a future that is about to be rewritten.
        checkpoints.DropAfter(start?.Step ?? -1);
        journal.Planned(stepsPerEpoch, totalSteps);
    }

    /// <summary>
    /// `--probe-size auto`: a pilot chooses the size (recorded in run.json under options.probe_calibration); a resumed
    /// run reuses the recorded choice, so its probe view is the one it started with.
    /// </summary>
    private static TrainOptions CalibrateProbeSize(TrainOptions options, nn.Module<Tensor, Tensor> model, IReadOnlyList<Parameter> parameters,
        DataBundle data, Device device, RunJournal journal)
    {
        if (journal.CalibratedProbeSize is int recorded) return options with { ProbeSize = recorded };
        var clock = Stopwatch.StartNew();
        var result = ProbeCalibration.Run(model, parameters, data.Train, options, device);
        journal.ProbeCalibrated(result, clock.Elapsed);
        return options with { ProbeSize = result.Size };
    }

    /// <summary>An upper estimate of one checkpoint's size: parameters and buffers, momentum, three probe vectors.</summary>
    private static long CheckpointBytes(nn.Module model, TrainOptions options)
    {
        long parameterBytes = model.parameters().Sum(p => p.numel() * p.ElementSize);
        long bufferBytes = model.buffers().Sum(b => b.numel() * b.ElementSize);
        return parameterBytes * (options.Momentum > 0 ? 5 : 4) + bufferBytes + (1 << 20);
    }

    /// <summary>GD + isotropic noise: the noise scale from the chunk gradients at θ_0 (null when the option is off).</summary>
    private GradientNoise? IsotropicNoise(SeedStreams streams)
    {
        if (options.IsotropicNoise == 0) return null;
        using var scope = NewDisposeScope(); // owns the chunk views the estimate walks over
        var chunks = Enumerable.Range(0, (data.Train.Count + options.MicroBatch - 1) / options.MicroBatch).Select(c =>
        {
            int first = c * options.MicroBatch, count = Math.Min(options.MicroBatch, data.Train.Count - first);
            return (data.Train.Inputs(first, count).to(device), data.Train.Labels.narrow(0, first, count).to(device));
        });
        double variance = GradientNoise.MaxCoordinateVariance(model, parameters, chunks);
        double std = options.IsotropicNoise * variance;
        journal.NoiseEstimated(variance, std);
        return new GradientNoise(std, streams.Noise);
    }

    /// <summary>Frees what the parts own; the data and the model belong to <see cref="Execute"/>.</summary>
    private void Release()
    {
        recorder.Dispose();
        memory.Dispose();
        optimizer.Dispose();
        sampler.Dispose();
        augmenter?.Dispose();
        floorView?.Dispose();
        epochs.Dispose();
        stopCheck?.Dispose();
        foreach (var prefix in csvPrefixes.Values) prefix.Dispose();
    }
}
