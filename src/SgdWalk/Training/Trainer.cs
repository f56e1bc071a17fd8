using SgdWalk.Checkpoints;
using SgdWalk.Landscape;
using SgdWalk.Platform;
using SgdWalk.Probes;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>
/// One run: SGD on a model from the zoo, recorded by a <see cref="WalkRecorder"/> (the same public path a user's
/// own loop takes), with per-epoch evaluation, written into a run folder as it goes. <see cref="Train"/> is the loop;
/// Trainer.Setup.cs builds its parts, <see cref="RunJournal"/> keeps run.json, Trainer.Checkpointing.cs the checkpoints.
/// </summary>
public sealed partial class Trainer
{
    /// <summary>The training loop: one step per mini-batch, the probes after every update, evaluation and a checkpoint per epoch.</summary>
    private TrainingResult Train(Action<TrainingProgress>? progress, CancellationToken cancel)
    {
        // A resumed run starts where its checkpoint stood: step, epoch and the batches of that epoch already done.
        int step = start?.Step ?? 0, skip = start?.Position ?? 0;
        for (int epoch = start?.Epoch ?? 1; epoch <= totalEpochs; epoch++, skip = 0)
        {
            // The epoch's order is drawn from the sampler's state at its start; a checkpoint keeps that state.
            using var epochStart = sampler.GetState();
            var batches = sampler.NextEpoch();
            // θ_0 and the untouched state, so step 0 can be exported and a crash in the first interval resumed.
            if (step == 0 && start is null) SaveCheckpoint(0, epoch, 0, epochStart, WallSeconds(), 0);

            for (int position = skip; position < batches.Count && step < totalSteps; position++)
            {
                BeforeEachStep?.Invoke(step, cancel);
                if (cancel.IsCancellationRequested) return Interrupt(step, epoch, position, epochStart);
                using var scope = NewDisposeScope();
                double lr = schedule.AtStep(step, stepsPerEpoch);

                // The mini-batch B_t, augmented with the run's own augmentation stream.
                var (inputs, targets) = Batch(batches[position]);

                // θ_t is captured before the forward pass, g_t after backward and before the update. Only the update
                // below writes the parameters (evaluation and checkpoints read them), so θ_t is the θ_{t+1} the
                // recorder copied at the last EndStep.
                recorder.BeginStep(inputs, targets, parametersUnchanged: true);
                using var before = floorStep is null ? null : ParamVector.OfValues(parameters);
                double loss = SgdStep.ForwardBackward(model, parameters, inputs, targets, options.MicroBatch, options.SumChunkGradients);
                recorder.CaptureGradient(loss, lr);

                // The update θ_{t+1} = θ_t + u_t; floor-sgd and height-sgd then cut it back along the SGD direction.
                optimizer.Step(lr);
                if (floorStep is not null) LandOnFloor(before!, inputs, targets);

                // θ_{t+1} is captured and the probes measure the whole step; its row goes to steps.csv.
                var row = recorder.EndStep(step, epoch, lr);
                tensorBoard?.Step(step, row);
                memory.AfterStep(step, recorder);
                // A run replaced by --overwrite goes only once this one has completed a real step: until then, an error
                // (a model that fails on real data, a probe that cannot run) brings the old run back as it was.
                if (step == (start?.Step ?? 0)) journal.Folder.DeleteReplacedRun();

                // A non-finite or exploded loss, or a non-finite parameter, ends the run; the last checkpoint stays the last good state.
                if (CheckDivergence(step, loss) is { } diverged)
                    return Finish(RunStatus.Diverged, diverged, step + 1);
                step++;
                progress?.Invoke(new TrainingProgress(step, totalSteps, epoch, totalEpochs, loss));
                // `--stop-loss`, mid-epoch (an epoch's last step is checked at its end): checked before the checkpoint, so a
                // checkpoint always stands at a step where the run goes on and a resumed run never skips a stop.
                if (stopCheck is not null && position + 1 < batches.Count && step < totalSteps && stopCheck.Due(step) && Check(step))
                    return StopAtTarget(epoch, step);
                // Mid-epoch checkpoints; the epoch's last step is covered by the epoch-end checkpoint.
                if (options.CheckpointEvery is { } every && step % every == 0 && position + 1 < batches.Count && step < totalSteps)
                    SaveCheckpoint(step, epoch, position + 1, epochStart, WallSeconds(), evaluation.Elapsed.TotalSeconds);
            }
            // Every epoch's end (the cap's included) is a stop check; a run that stops there writes no checkpoint to resume from.
            bool stop = stopCheck is not null && Check(step);
            EndEpoch(epoch, step, checkpoint: !stop);
            if (stop) return Finish(RunStatus.Completed, null, step);
        }
        return Finish(RunStatus.Completed, null, step);
    }

    /// <summary>A stop check at <paramref name="step"/>, timed as evaluation; its outcome goes to run.json's stop_loss.</summary>
    private bool Check(int step)
    {
        evaluation.Start();
        bool reached = stopCheck!.Reached(step);
        evaluation.Stop();
        journal.StopLoss(stopCheck.Record);
        return reached;
    }

    /// <summary>The target reached mid-epoch: the run's final evaluation (epochs.csv's last row) at this step, then its end.</summary>
    private TrainingResult StopAtTarget(int epoch, int step)
    {
        evaluation.Start();
        epochs.Evaluate(epoch, step, WallSeconds());
        evaluation.Stop();
        return Finish(RunStatus.Completed, null, step);
    }

    /// <summary>
    /// Called before every step of every run in this process (step number, the run's stop token), after the previous
    /// step's checkpoint. Null in the library; the command line installs its test-only pause here (TestOnlyPause), so
    /// fault tests can deliver a signal at a step they choose.
    /// </summary>
    public static Action<int, CancellationToken>? BeforeEachStep { get; set; }

    /// <param name="cache">Where the run borrows its data (a sweep loads each dataset once per process); null = loads its own.</param>
    public static TrainingResult Run(TrainOptions requested, RunFolder folder, Action<TrainingProgress>? progress = null, CancellationToken cancel = default,
        Data.DataCache? cache = null)
    {
        // A library caller gets the option checks the command line makes, before run.json is written.
        if (requested.Validate() is { Count: > 0 } problems) throw new ArgumentException(string.Join("; ", problems), nameof(requested));
        ProcessSwitches.Configure();
        var options = requested.Resolve();
        return Execute(options, RunJournal.Start(options, folder), checkpoint: null, resuming: false, progress, cancel, cache);
    }

    /// <summary>
    /// Continues the run in <paramref name="folder"/> from its newest checkpoint (from the start when it has none),
    /// with the options in its run.json; steps.csv, profiles.csv and epochs.csv are cut back to the checkpoint first.
    /// </summary>
    /// <exception cref="ResumeException">Nothing to resume, or the checkpoint does not belong to this run.</exception>
    /// <param name="model">`torchscript:PATH`: the run's TorchScript file, moved there (same SHA-256); null = where run.json says.</param>
    /// <param name="dataset">`npz:PATH`: the run's .npz file, moved there (same SHA-256); null = where run.json says.</param>
    public static TrainingResult Resume(RunFolder folder, Action<TrainingProgress>? progress = null, CancellationToken cancel = default,
        string? model = null, string? dataset = null)
    {
        ProcessSwitches.Configure();
        var (options, manifest, checkpoint) = ResumePlan.Load(folder, model, dataset);
        using (checkpoint)
            return Execute(options, new RunJournal(manifest, folder), checkpoint, resuming: true, progress, cancel);
    }

    private (Tensor Inputs, Tensor Targets) Batch(long[] indices)
    {
        using var index = tensor(indices);
        var inputs = data.Train.Inputs(index);
        if (augmenter is not null) inputs = augmenter.Apply(inputs);
        return (inputs.to(device), data.Train.Labels.index_select(0, index).to(device));
    }

    /// <summary>floor-sgd / height-sgd: searches the floor of the SGD step on the step's batch or on the floor-search view.</summary>
    private void LandOnFloor(ParamVector before, Tensor inputs, Tensor targets)
    {
        using var batchView = DataView.Borrow("batch", inputs, targets, options.MicroBatch);
        recorder.SetLoopValue(Columns.FloorStepAlpha, floorStep!.Apply(before, floorView ?? batchView));
    }

    /// <summary>Quality on the probe subset, validation and test; every file flushed; a checkpoint; run.json.</summary>
    /// <param name="checkpoint">False when the run ends here (a stop at its target): no checkpoint to resume past the stop.</param>
    private void EndEpoch(int epoch, int step, bool checkpoint = true)
    {
        if (floorStep is not null) journal.FloorSearch(floorStep.BeyondCap);
        evaluation.Start();
        epochs.Evaluate(epoch, step, WallSeconds());
        evaluation.Stop();
        memory.AfterEvaluation(step, recorder);
        recorder.Flush();
        epochs.Flush();
        if (checkpoint)
            using (var next = sampler.GetState())
                SaveCheckpoint(step, epoch + 1, 0, next, WallSeconds(), evaluation.Elapsed.TotalSeconds);
        journal.EpochEnded(epoch, step, recorder, wall.Elapsed, evaluation.Elapsed, startEvaluationSeconds);
    }

    private TrainingResult Interrupt(int step, int epoch, int position, Tensor epochStart)
    {
        SaveCheckpoint(step, epoch, position, epochStart, WallSeconds(), evaluation.Elapsed.TotalSeconds);
        return Finish(RunStatus.Interrupted, $"interrupted at step {step}; `sgdwalk resume` continues it", step);
    }

    private TrainingResult Finish(RunStatus status, string? message, int steps)
    {
        // The final parameters and buffers (TorchSharp's format), for later analysis and for comparing runs.
        Directory.CreateDirectory(journal.Folder.Checkpoints);
        model.save(Path.Combine(journal.Folder.Checkpoints, "final.dat"));
        // `--end-curvature`: once, at the weights just saved, for a run that ended (an interrupted one measures when it does).
        if (options.EndCurvature && status == RunStatus.Completed) MeasureEndCurvature(steps);
        recorder.Flush();
        epochs.Flush();
        if (floorStep is not null) journal.FloorSearch(floorStep.BeyondCap);
        journal.Progress(steps, recorder);
        // The time split to the end, also for a run that ended between epoch ends (diverged, interrupted).
        journal.Timed(recorder, wall.Elapsed, evaluation.Elapsed, startEvaluationSeconds);
        return new TrainingResult(status, message, steps, recorder.RecordedSteps);
    }

    /// <summary>λ_max and the trace of the probe view's Hessian at the final weights, with the run's sharpness knobs, into run.json.</summary>
    private void MeasureEndCurvature(int step)
    {
        var (lambdaMax, trace) = recorder.CurvatureNow();
        var sharpness = options.Recorder.Sharpness;
        journal.EndCurvature(new EndCurvature
        {
            Step = step,
            LambdaMax = lambdaMax,
            Trace = trace?.Value ?? double.NaN,
            TraceStandardError = trace?.StandardError ?? double.NaN,
            Eigen = sharpness.Eigen == EigenMethod.Power ? "power" : "lanczos",
            EigenIterations = sharpness.EigenIterations,
            TraceSamples = trace?.Samples ?? 0,
            ProbeSamples = probeSamples,
        });
    }

    private double WallSeconds() => startWallSeconds + wall.Elapsed.TotalSeconds;
}
