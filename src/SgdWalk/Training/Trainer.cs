using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using SgdWalk.Checkpoints;
using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Models;
using SgdWalk.Probes;
using SgdWalk.Records;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>
/// One run: SGD on a model from the zoo, recorded by a <see cref="WalkRecorder"/> (the same public path a user's
/// own loop takes), with per-epoch evaluation, written into a run folder as it goes.
/// One seed fixes everything, each stream from its own generator: initialisation (seed), data order (seed+1),
/// augmentation (seed+2), probe subset (seed+3). Probes draw nothing, so they cannot move the walk.
/// </summary>
public sealed partial class Trainer
{
    public static readonly string[] EpochColumns =
        ["epoch", "step", "train_loss", "train_acc", "val_loss", "val_acc", "test_loss", "test_acc", "wall_s"];

    /// <summary>A fixed subset of the training split, drawn from its own generator, in ascending order.</summary>
    public static long[] ProbeSubset(int count, int? size, long seed)
    {
        if (size is null || size >= count) return Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        using var generator = new Generator((ulong)seed);
        using var permutation = randperm(count, generator: generator);
        return permutation.data<long>().Take(size.Value).Order().ToArray();
    }

    public static TrainingResult Run(TrainOptions requested, RunFolder folder, Action<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        var options = requested.Resolve();
        var manifest = new RunManifest
        {
            Seed = options.Seed,
            Options = (JsonObject)JsonSerializer.SerializeToNode(options, RunManifest.Json)!,
            Versions = RunEnvironment.Versions(),
            StartedUtc = DateTimeOffset.UtcNow,
        };
        return Execute(options, folder, manifest, null, resuming: false, progress, cancel);
    }

    /// <summary>
    /// Continues the run in <paramref name="folder"/> from its newest checkpoint (from the start when it has none),
    /// with the options in its run.json; steps.csv, profiles.csv and epochs.csv are cut back to the checkpoint first.
    /// </summary>
    /// <exception cref="ResumeException">Nothing to resume, or the checkpoint does not belong to this run.</exception>
    public static TrainingResult Resume(RunFolder folder, Action<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        var (options, manifest, checkpoint) = ResumePlan.Load(folder);
        using (checkpoint)
            return Execute(options, folder, manifest, checkpoint, resuming: true, progress, cancel);
    }

    private static TrainingResult Execute(TrainOptions options, RunFolder folder, RunManifest manifest, CheckpointFile? resume, bool resuming,
        Action<TrainingProgress>? progress, CancellationToken cancel)
    {
        var total = Stopwatch.StartNew();
        double previousTotal = manifest.TimingsSeconds.GetValueOrDefault("total_s");
        set_num_threads(options.Threads ?? Environment.ProcessorCount);
        manifest.Threads = get_num_threads();
        manifest.Machine = RunEnvironment.Machine();
        manifest.Write(folder.Manifest);

        try
        {
            var device = torch.device(options.Device);
            var clock = Stopwatch.StartNew();
            using var data = DatasetCatalog.Load(new DataOptions(options.Dataset, options.DataDir, options.ValidationSize, options.TrainSize, options.Seed));
            manifest.Options["data_directory"] = data.Directory;
            manifest.TimingsSeconds["data_s"] = clock.Elapsed.TotalSeconds;

            manual_seed(options.Seed);
            var spec = new ModelSpec(data.Train.Channels, data.Train.Height, data.Train.Width, data.Train.Classes, options.Hidden, options.ModelBatchNorm, options.Depth);
            using var model = ModelZoo.Create(options.Model, spec);
            model.to(device);
            var parameters = model.parameters().Where(p => p.requires_grad).ToList();
            manifest.Counts["parameters"] = parameters.Sum(p => p.numel());
            if (resume is not null) ResumePlan.CheckModel(resume, model);
            if (resuming) ResumePlan.MarkResumed(manifest, resume);
            // Disk space for the checkpoints kept (plus one being written) is checked before the first step.
            folder.CheckWritable(CheckpointBytes(model, options) * (options.KeepCheckpoints + 2));

            if (options.ProbeSizeAuto) options = CalibrateProbeSize(options, model, parameters, data, device, manifest, folder);
            using var loop = new RunLoop(options, folder, data, model, parameters, device, manifest, resume);
            var result = loop.Run(progress, cancel);
            manifest.Status = result.Status;
            manifest.Message = result.Message;
            return result;
        }
        catch (Exception e) when (e is DataFormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or IOException or ResumeException)
        {
            // A refused resume leaves the run as it was (interrupted, say); anything else marks it failed.
            manifest.Status = e is ResumeException ? manifest.Status : RunStatus.Failed;
            manifest.Message = e.Message;
            throw;
        }
        finally
        {
            manifest.FinishedUtc = DateTimeOffset.UtcNow;
            manifest.TimingsSeconds["total_s"] = previousTotal + total.Elapsed.TotalSeconds;
            // The whole process's peak (a run in a process that did other work first reports that work's peak too).
            if (RunEnvironment.PeakMemoryMegabytes() is long peak) manifest.Counts["peak_memory_mb"] = peak;
            manifest.Write(folder.Manifest);
        }
    }

    /// <summary>
    /// `--probe-size auto`: a pilot chooses the size (recorded in run.json under options.probe_calibration); a resumed
    /// run reuses the recorded choice, so its probe view is the one it started with.
    /// </summary>
    private static TrainOptions CalibrateProbeSize(TrainOptions options, nn.Module<Tensor, Tensor> model,
        IReadOnlyList<TorchSharp.Modules.Parameter> parameters, DataBundle data, Device device, RunManifest manifest, RunFolder folder)
    {
        if (manifest.Options["probe_calibration"]?["size"]?.GetValue<int>() is int recorded) return options with { ProbeSize = recorded };
        var clock = Stopwatch.StartNew();
        var result = ProbeCalibration.Run(model, parameters, data.Train, options, device);
        manifest.Options["probe_calibration"] = JsonSerializer.SerializeToNode(result, RunManifest.Json);
        manifest.TimingsSeconds["probe_calibration_s"] = clock.Elapsed.TotalSeconds;
        manifest.Write(folder.Manifest);
        return options with { ProbeSize = result.Size };
    }

    /// <summary>An upper estimate of one checkpoint's size: parameters and buffers, momentum, three probe vectors.</summary>
    private static long CheckpointBytes(nn.Module model, TrainOptions options)
    {
        long parameters = model.parameters().Sum(p => p.numel() * p.ElementSize);
        long buffers = model.buffers().Sum(b => b.numel() * b.ElementSize);
        return parameters * (options.Momentum > 0 ? 5 : 4) + buffers + (1 << 20);
    }

    /// <summary>The state of one run while it trains; <see cref="Run"/> is the training loop.</summary>
    private sealed partial class RunLoop : IDisposable
    {
        private readonly TrainOptions options;
        private readonly DataBundle data;
        private readonly nn.Module<Tensor, Tensor> model;
        private readonly Device device;
        private readonly RunManifest manifest;
        private readonly RunFolder folder;
        private readonly SgdOptimizer optimizer;
        private readonly EpochSampler sampler;
        private readonly Augmenter? augmenter;
        private readonly WalkRecorder recorder;
        private readonly LossSurface evaluator;
        private readonly DataView trainEval, validation, test;
        private readonly CsvLog epochs;
        private readonly TensorBoardLog? tensorBoard;
        private readonly IReadOnlyList<TorchSharp.Modules.Parameter> parameters;
        private readonly FloorStep? floorStep;
        private readonly DataView? floorView;
        private readonly CheckpointStore checkpoints;
        private readonly string[] parameterNames;
        private readonly CheckpointHeader? start;
        private readonly double startWallSeconds, startEvaluationSeconds;

        public RunLoop(TrainOptions options, RunFolder folder, DataBundle data, nn.Module<Tensor, Tensor> model,
            IReadOnlyList<TorchSharp.Modules.Parameter> parameters, Device device, RunManifest manifest, CheckpointFile? resume)
        {
            (this.options, this.folder, this.data, this.model, this.device, this.manifest) = (options, folder, data, model, device, manifest);
            this.parameters = parameters;
            optimizer = new SgdOptimizer(parameters, options.Momentum, options.WeightDecay, options.Nesterov, IsotropicNoise(parameters));
            // θ_0 on disk, so `sgdwalk barrier RUN:initial RUN:final` can measure the straight path later.
            Directory.CreateDirectory(folder.Checkpoints);
            if (resume is null) model.save(Path.Combine(folder.Checkpoints, "initial.dat"));
            sampler = new EpochSampler(data.Train.Count, options.BatchSize, options.Seed + 1);
            // Pad with black as torchvision does before normalising: (0 − mean) / std in normalised units.
            augmenter = options.Augment ?? data.AugmentByDefault
                ? new Augmenter(options.Seed + 2, 4, data.Mean.Zip(data.Std, (m, s) => -m / s).ToArray())
                : null;

            // The probe view: a fixed, seeded subset of the training split, chunked as the BN policy requires.
            var probeIndices = ProbeSubset(data.Train.Count, options.ProbeSize, options.Seed + 3);
            int probeChunk = options.BatchNorm == BatchNormPolicy.BatchStats ? options.MicroBatch : options.EvaluationChunkSize;
            using (var subset = data.Train.Select(probeIndices))
            {
                var probeView = DataView.Own("probe", subset.Images.to(device), subset.Labels.to(device), probeChunk);
                var recorderOptions = options.ToRecorderOptions();
                var lengths = resume?.Header.CsvLengths;
                recorder = new WalkRecorder(model, recorderOptions, folder.Path, probeView,
                    resumeAt: lengths is null ? null : (lengths["steps"], lengths["profiles"]));
            }
            manifest.Counts["probe_samples"] = probeIndices.Length;

            // Per-epoch quality is measured the usual way: eval mode, running BN statistics.
            evaluator = new LossSurface(model, LossSurface.CrossEntropy, BatchNormPolicy.Running);
            trainEval = EvaluationView("train-probe", data.Train.Select(probeIndices));
            validation = EvaluationView("val", data.Validation.Take(0, data.Validation.Count));
            test = EvaluationView("test", data.Test.Take(0, data.Test.Count));
            epochs = new CsvLog(folder.Epochs, EpochColumns, resume?.Header.CsvLengths["epochs"]);
            tensorBoard = options.TensorBoard ? new TensorBoardLog(Path.Combine(folder.Path, "events")) : null;

            // The interventions floor-sgd / height-sgd search the floor on the step's batch or on a copy of the probe set.
            if (options.Optimizer != OptimizerKind.Sgd)
            {
                var surface = new LossSurface(model, LossSurface.CrossEntropy, options.BatchNorm);
                floorStep = new FloorStep(surface, parameters, options.Optimizer == OptimizerKind.FloorSgd ? 0 : options.HeightFraction);
                if (options.FloorView == FloorSearchView.Probe)
                    using (var subset = data.Train.Select(probeIndices))
                        floorView = DataView.Own("floor-search", subset.Images.to(device).clone(), subset.Labels.to(device).clone(), probeChunk);
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
        }

        public TrainingResult Run(Action<TrainingProgress>? progress, CancellationToken cancel)
        {
            int stepsPerEpoch = sampler.BatchesPerEpoch;
            int totalSteps = options.Steps ?? options.Epochs * stepsPerEpoch;
            int totalEpochs = (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch;
            var schedule = LearningRateSchedule.Parse(options.Schedule, options.LearningRate, totalSteps / (double)stepsPerEpoch);
            manifest.Counts["steps_per_epoch"] = stepsPerEpoch;
            manifest.Counts["total_steps"] = totalSteps;
            var wall = Stopwatch.StartNew();
            var evaluation = new Stopwatch();
            // A resumed run starts where its checkpoint stood: step, epoch and the batches of that epoch already done.
            int step = start?.Step ?? 0, skip = start?.Position ?? 0;
            double WallSeconds() => startWallSeconds + wall.Elapsed.TotalSeconds;

            for (int epoch = start?.Epoch ?? 1; epoch <= totalEpochs; epoch++, skip = 0)
            {
                // The epoch's order is drawn from the sampler's state at its start; a checkpoint keeps that state.
                using var epochStart = sampler.GetState();
                var batches = sampler.NextEpoch();
                // θ_0 and the untouched state, so step 0 can be exported and a crash in the first interval resumed.
                if (step == 0 && start is null)
                    SaveCheckpoint(0, epoch, 0, epochStart, WallSeconds(), 0);
                for (int position = skip; position < batches.Count; position++)
                {
                    if (step == totalSteps) break;
                    if (cancel.IsCancellationRequested)
                    {
                        SaveCheckpoint(step, epoch, position, epochStart, WallSeconds(), evaluation.Elapsed.TotalSeconds);
                        return Finish(RunStatus.Interrupted, $"interrupted at step {step}; `sgdwalk resume` continues it", step);
                    }
                    using var scope = NewDisposeScope();
                    double lr = schedule.AtStep(step, stepsPerEpoch);

                    // The mini-batch B_t, augmented with the run's own augmentation stream.
                    var (inputs, targets) = Batch(batches[position]);

                    // θ_t is captured before the forward pass; g_t after backward, before the update.
                    recorder.BeginStep(inputs, targets);
                    using var before = floorStep is null ? null : ParamVector.OfValues(parameters);
                    double loss = ForwardBackward(inputs, targets);
                    recorder.CaptureGradient(loss);

                    // The update θ_{t+1} = θ_t + u_t (for floor-sgd / height-sgd: cut back along the SGD direction),
                    // then the probes look at the whole step.
                    optimizer.Step(lr);
                    if (floorStep is not null)
                    {
                        using var batchView = DataView.Borrow("batch", inputs, targets, options.MicroBatch);
                        floorStep.Apply(before!, floorView ?? batchView);
                    }
                    var row = recorder.EndStep(step, epoch, lr);
                    tensorBoard?.Step(step, row);

                    // A non-finite loss or parameter ends the run; the last checkpoint stays the last good state.
                    if (Divergence.Check(step, loss, optimizer.Parameters, parameterNames) is { } diverged)
                        return Finish(RunStatus.Diverged, diverged, step + 1);
                    step++;
                    progress?.Invoke(new TrainingProgress(step, totalSteps, epoch, totalEpochs, loss));
                    // Mid-epoch checkpoints; the epoch's last step is covered by the epoch-end checkpoint below.
                    if (options.CheckpointEvery is { } every && step % every == 0 && position + 1 < batches.Count && step < totalSteps)
                        SaveCheckpoint(step, epoch, position + 1, epochStart, WallSeconds(), evaluation.Elapsed.TotalSeconds);
                }

                // End of epoch: quality on the probe subset, validation and test; flush every file; checkpoint.
                evaluation.Start();
                EvaluateEpoch(epoch, step, WallSeconds());
                evaluation.Stop();
                recorder.Flush();
                epochs.Flush();
                using (var next = sampler.GetState())
                    SaveCheckpoint(step, epoch + 1, 0, next, WallSeconds(), evaluation.Elapsed.TotalSeconds);
                manifest.TimingsSeconds["probes_s"] = recorder.ProbeTime.TotalSeconds;
                manifest.TimingsSeconds["evaluation_s"] = startEvaluationSeconds + evaluation.Elapsed.TotalSeconds;
                manifest.TimingsSeconds["training_s"] = (wall.Elapsed - recorder.ProbeTime - evaluation.Elapsed).TotalSeconds;
                manifest.Counts["steps"] = step;
                manifest.Counts["recorded_steps"] = recorder.RecordedSteps;
                manifest.Counts["hessian_vector_products"] = recorder.Hessian.Products;
                manifest.Counts["epochs"] = epoch;
                manifest.Write(folder.Manifest);
            }
            return Finish(RunStatus.Completed, null, step);
        }

        /// <summary>The final parameters and buffers (TorchSharp's format), for later analysis and for comparing runs.</summary>
        private void SaveFinal()
        {
            Directory.CreateDirectory(folder.Checkpoints);
            model.save(Path.Combine(folder.Checkpoints, "final.dat"));
        }

        private TrainingResult Finish(RunStatus status, string? message, int steps)
        {
            SaveFinal();
            recorder.Flush();
            epochs.Flush();
            manifest.Counts["steps"] = steps;
            manifest.Counts["recorded_steps"] = recorder.RecordedSteps;
            manifest.Counts["hessian_vector_products"] = recorder.Hessian.Products;
            return new TrainingResult(status, message, steps, recorder.RecordedSteps);
        }

        private (Tensor Inputs, Tensor Targets) Batch(long[] indices)
        {
            using var index = tensor(indices);
            var inputs = data.Train.Images.index_select(0, index);
            if (augmenter is not null) inputs = augmenter.Apply(inputs);
            return (inputs.to(device), data.Train.Labels.index_select(0, index).to(device));
        }

        /// <summary>Gradient of the batch-mean loss, accumulated over chunks of the micro-batch size.</summary>
        private double ForwardBackward(Tensor inputs, Tensor targets)
        {
            model.train();
            optimizer.ZeroGrad();
            long n = inputs.shape[0];
            double loss = 0;
            for (long start = 0; start < n; start += options.MicroBatch)
            {
                long count = Math.Min(options.MicroBatch, n - start);
                var chunkLoss = nn.functional.cross_entropy(model.call(inputs.narrow(0, start, count)), targets.narrow(0, start, count));
                double weight = count / (double)n;
                // The authors' GD quirk (--sum-chunk-gradients) sums chunk means; the mean batch loss is reported either way.
                double gradientWeight = options.SumChunkGradients ? 1 : weight;
                (gradientWeight == 1 ? chunkLoss : chunkLoss.mul(gradientWeight)).backward();
                loss += chunkLoss.item<float>() * weight;
            }
            return loss;
        }

        /// <summary>GD + isotropic noise: the noise scale from the chunk gradients at θ_0 (null when the option is off).</summary>
        private GradientNoise? IsotropicNoise(IReadOnlyList<TorchSharp.Modules.Parameter> parameters)
        {
            if (options.IsotropicNoise == 0) return null;
            using var scope = NewDisposeScope(); // owns the chunk views the estimate walks over
            var chunks = Enumerable.Range(0, (data.Train.Count + options.MicroBatch - 1) / options.MicroBatch).Select(c =>
            {
                int start = c * options.MicroBatch, count = Math.Min(options.MicroBatch, data.Train.Count - start);
                return (data.Train.Images.narrow(0, start, count).to(device), data.Train.Labels.narrow(0, start, count).to(device));
            });
            double variance = GradientNoise.MaxCoordinateVariance(model, parameters, chunks);
            double std = options.IsotropicNoise * variance;
            manifest.Options["max_gradient_variance"] = variance;
            manifest.Options["isotropic_noise_std"] = std;
            return new GradientNoise(std, options.Seed + 4);
        }

        private void EvaluateEpoch(int epoch, int step, double wallSeconds)
        {
            using var state = ModelState.Capture(model);
            var train = evaluator.Evaluate(trainEval);
            var val = validation.Count > 0 ? evaluator.Evaluate(validation) : new Evaluation(double.NaN, double.NaN);
            var tst = evaluator.Evaluate(test);
            state.Restore();
            var row = new RowValues()
                .Set("epoch", epoch).Set("step", step)
                .Set("train_loss", train.Loss).Set("train_acc", train.Accuracy)
                .Set("val_loss", val.Loss).Set("val_acc", val.Accuracy)
                .Set("test_loss", tst.Loss).Set("test_acc", tst.Accuracy)
                .Set("wall_s", wallSeconds);
            epochs.Append(row);
            tensorBoard?.Epoch(epoch, row);
        }

        private DataView EvaluationView(string name, LabeledImages images)
        {
            using (images)
                return DataView.Own(name, images.Images.to(device).clone(), images.Labels.to(device).clone(), options.EvaluationChunkSize);
        }

        public void Dispose()
        {
            recorder.Dispose();
            optimizer.Dispose();
            sampler.Dispose();
            augmenter?.Dispose();
            trainEval.Dispose();
            validation.Dispose();
            test.Dispose();
            floorView?.Dispose();
            epochs.Dispose();
        }
    }
}
