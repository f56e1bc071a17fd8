using System.Diagnostics;
using SgdWalk.Landscape;
using SgdWalk.Platform;
using SgdWalk.Records;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// Records the walk of any TorchSharp model trained by any loop. Call it around the optimiser step:
/// <code>
/// recorder.BeginStep(inputs, targets);      // before forward: captures θ_t
/// loss.backward();
/// recorder.CaptureGradient(loss.item&lt;float&gt;()); // after backward, before the step: captures g_t
/// optimizer.step();
/// recorder.EndStep(step, epoch, lr);        // captures θ_{t+1}, runs the probes, appends the rows
/// </code>
/// A loop that steps with <see cref="Training.SgdOptimizer"/> can hand it to the constructor and pass
/// <c>CaptureGradient(loss, lr)</c>: under the cheap preset the recorder then forms u_t from the optimiser's rule and
/// copies nothing (<see cref="IKnownUpdate"/>).
/// It writes steps.csv and profiles.csv into the run folder as the run goes. It never changes the trajectory:
/// every probe restores parameters, buffers and mode bit for bit, and no probe draws from a shared RNG.
/// </summary>
public sealed class WalkRecorder : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly RecorderOptions options;
    private readonly List<IProbe> probes;
    private readonly CsvLog steps;
    private readonly CsvLog profiles;
    private readonly ProfileLog profileLog;
    private readonly Stopwatch probeClock = new();
    private readonly DataView? probeView;
    private readonly bool captureStates;
    private readonly SegmentProfiler probeViewProfiler;
    private readonly LibraryManifest? manifest;

    private readonly HashSet<string> loopColumns;
    private readonly Dictionary<string, double> loopValues = [];
    private Tensor? inputs, targets;
    // θ_t, θ_{t+1}, g_t, u_t and what the cheap probes keep across steps, in buffers reused from step to step.
    private readonly StepVectors? vectors;
    private bool gradientCaptured;
    // With a known update rule: the optimiser's step count and the rate given at CaptureGradient, checked at EndStep.
    private readonly IKnownUpdate? knownUpdate;
    private (long Steps, double LearningRate) expectedStep;
    private ModelState? stateBefore;
    private double trainLoss = double.NaN;
    private bool measuring;

    /// <param name="model">The model being trained; its trainable parameters define the parameter space.</param>
    /// <param name="options">What to measure.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> fails <see cref="RecorderOptions.Validate()"/>.</exception>
    /// <param name="runFolder">Where steps.csv and profiles.csv go (created if missing).</param>
    /// <param name="probeView">The fixed `probe` view (taken over and disposed by the recorder); null for none.</param>
    /// <param name="loss">Mean loss of outputs against targets; cross-entropy by default.</param>
    /// <param name="resumeAt">Byte lengths of steps.csv and profiles.csv at a checkpoint: continue those files from
    /// there (dropping later rows) instead of starting new ones. See <see cref="LoadState"/>.</param>
    /// <param name="alignmentPool">Where the alignment probe (<see cref="RecorderOptions.Alignment"/>) draws its gradient
    /// batches: samples disjoint from <paramref name="probeView"/>, whose Hessian gives V_k. Needed when alignment is scheduled.</param>
    /// <param name="optimizer">The optimiser that takes every step, when only it writes the parameters between
    /// <see cref="CaptureGradient"/> and <see cref="EndStep"/> (one step, with the learning rate given to both): when the
    /// probes read only per-step scalars (the cheap preset), u_t is formed from its rule instead of copied. Ignored otherwise.</param>
    /// <param name="loopColumns">steps.csv columns your own loop fills, step by step, with <see cref="SetLoopValue"/> before
    /// <see cref="EndStep"/> (our trainer: floor_step_alpha of floor-sgd / height-sgd); empty cells where not set.</param>
    /// <param name="description">What run.json should say about a walk from your own loop (model, dataset, seed, ...). The
    /// recorder writes run.json only into a folder that has none (or one an earlier library run wrote), so `sgdwalk report`
    /// draws any folder; `sgdwalk train` writes its own.</param>
    public WalkRecorder(nn.Module<Tensor, Tensor> model, RecorderOptions options, string runFolder, DataView? probeView = null,
        LossFunction? loss = null, (long Steps, long Profiles)? resumeAt = null, RunDescription? description = null, SamplePool? alignmentPool = null,
        IReadOnlyList<string>? loopColumns = null, IKnownUpdate? optimizer = null)
    {
        // Refused before any file is touched, with every problem named (a probe would fail later, less clearly).
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { Count: > 0 } problems) throw new ArgumentException(string.Join("; ", problems), nameof(options));
        ProcessSwitches.Configure();
        if (options.Alignment.Enabled && (probeView is null || alignmentPool is null))
            throw new ArgumentException("alignment needs a probe view (its Hessian gives V_k) and a sample pool disjoint from it (the gradient batches)");
        if (options.BatchNorm == BatchNormPolicy.Recompute)
            throw new ArgumentException("BatchNorm policy recompute is for paths between snapshots; a walk is recorded under batch-stats or running");
        this.model = model;
        this.options = options;
        this.probeView = probeView;
        parameters = model.parameters().Where(p => p.requires_grad).ToList();
        var lossFunction = loss ?? LossSurface.CrossEntropy;
        var surface = new LossSurface(model, lossFunction, options.BatchNorm);
        var profiler = new SegmentProfiler(surface, parameters, options.InteriorTolerance);
        // The probe view is the same data at every step, so consecutive recorded steps share a point (θ_{t+1} is the
        // next θ_t); its own profiler keeps each profile's end for the next one.
        probeViewProfiler = new SegmentProfiler(surface, parameters, options.InteriorTolerance) { ReuseEnds = true };
        Hessian = new HessianVectorProduct(model, parameters, lossFunction, options.BatchNorm, options.Sharpness.Hvp);
        probes = ProbeCatalog.Build(new ProbeBuild
        {
            Options = options, ProbeView = probeView, AlignmentPool = alignmentPool, Profiler = profiler, ProbeViewProfiler = probeViewProfiler, Hessian = Hessian,
        });
        // u_t from the optimiser's rule only when no probe needs the vectors themselves (θ_t, θ_{t+1}, g_t, u_t).
        knownUpdate = optimizer is { Reproducible: true } && probes.All(p => !p.ReadsStepVectors) && SameParameters(optimizer.Parameters, parameters)
            ? optimizer : null;
        vectors = probes.Count > 0 ? new StepVectors(parameters, options.CosineWeightDecay, knownUpdate) : null;
        // Under the running policy a loss at θ_t or θ_{t+1} depends on that point's own running statistics.
        captureStates = options.BatchNorm == BatchNormPolicy.Running && probes.Any(p => p.EvaluatesModel);

        var folder = new RunFolder(runFolder);
        Directory.CreateDirectory(folder.Path);
        this.loopColumns = loopColumns?.ToHashSet() ?? [];
        StepColumns = Columns.EveryStep.Concat(probes.SelectMany(p => p.ColumnNames)).Concat(loopColumns ?? []).ToArray();
        if (StepColumns.Distinct().Count() != StepColumns.Count) throw new ArgumentException("a loop column repeats a column the recorder writes", nameof(loopColumns));
        steps = new CsvLog(folder.Steps, StepColumns, resumeAt?.Steps);
        profiles = new CsvLog(folder.Profiles, Columns.Profiles, resumeAt?.Profiles);
        profileLog = new ProfileLog(profiles);
        manifest = resumeAt is null
            ? LibraryManifest.Start(folder, model, model.named_parameters().Where(p => p.parameter.requires_grad).ToList(), options, description)
            : null;
    }

    public IReadOnlyList<string> StepColumns { get; }

    /// <summary>The Hessian-vector products the curvature probes use (its count is the cost of curvature).</summary>
    public HessianVectorProduct Hessian { get; }

    /// <summary>
    /// λ_max and the Hutchinson trace of the probe view's Hessian at the model's current weights, measured once with the
    /// sharpness knobs (<see cref="SharpnessProbe.AtEnd"/>); the model's state is left as it was. The trainer's
    /// `--end-curvature` calls it at the final weights.
    /// </summary>
    public (double LambdaMax, TraceEstimate? Trace) CurvatureNow()
    {
        if (probeView is null) throw new InvalidOperationException("the curvature is measured on the probe view: the recorder has none");
        probeClock.Start();
        try
        {
            using var state = ModelState.Capture(model);
            var result = SharpnessProbe.AtEnd(probeView, Hessian, parameters, options.Sharpness);
            state.Restore();
            return result;
        }
        finally
        {
            probeClock.Stop();
        }
    }

    /// <summary>Time spent measuring (captures and probes), excluding the user's own training work.</summary>
    public TimeSpan ProbeTime => probeClock.Elapsed;

    /// <summary>Parameter-sized buffers the recorder has allocated for its step vectors (constant after the first step).</summary>
    internal int StepVectorAllocations => vectors?.Allocations ?? 0;

    /// <summary>Whether u_t is formed from the constructor's optimiser (nothing copied) rather than from copies of θ.</summary>
    internal bool UpdateFromOptimiser => vectors?.FromOptimiser ?? false;

    /// <summary>Number of steps on which the segment profiles were measured.</summary>
    public int RecordedSteps { get; private set; }

    /// <summary>Whether the last step passed to <see cref="EndStep"/> had its segment profiles measured.</summary>
    public bool LastStepRecorded { get; private set; }

    /// <summary>Before the forward pass of step t: remembers B_t and θ_t.</summary>
    /// <param name="parametersUnchanged">A promise that nothing has written to the parameters since the last
    /// <see cref="EndStep"/> (no clamp, no load, no other optimiser): θ_t is then that step's θ_{t+1}, already
    /// copied, and is not copied again. Leave it false when unsure; a broken promise makes every per-step number wrong.</param>
    public void BeginStep(Tensor stepInputs, Tensor stepTargets, bool parametersUnchanged = false)
    {
        measuring = probes.Count > 0;
        (inputs, targets) = (stepInputs, stepTargets);
        if (!measuring) return;
        probeClock.Start();
        DisposeStepState(); // a step begun but never ended
        vectors!.Begin(parametersUnchanged);
        stateBefore = captureStates ? ModelState.Capture(model) : null;
        probeClock.Stop();
    }

    /// <summary>After backward, before the optimiser step: remembers g_t (the gradient of the loss alone) and the loss.</summary>
    /// <param name="learningRate">The rate the constructor's optimiser is about to step with (needed when one was given).</param>
    public void CaptureGradient(double batchLoss, double? learningRate = null)
    {
        trainLoss = batchLoss;
        if (!measuring) return;
        probeClock.Start();
        if (vectors!.FromOptimiser && learningRate is null)
            throw new InvalidOperationException("this recorder forms u_t from the optimiser: pass CaptureGradient the learning rate the optimiser will step with");
        vectors.CaptureGradient();
        if (vectors.FromOptimiser) expectedStep = (knownUpdate!.Steps + 1, learningRate!.Value);
        gradientCaptured = true;
        probeClock.Stop();
    }

    /// <summary>A value of one of the constructor's loop columns for the step being recorded (written by the next <see cref="EndStep"/>).</summary>
    public void SetLoopValue(string column, double value)
    {
        if (!loopColumns.Contains(column)) throw new ArgumentException($"'{column}' is not one of this recorder's loop columns", nameof(column));
        loopValues[column] = value;
    }

    /// <summary>After the optimiser step: runs the probes on step t and appends its row; returns the row.</summary>
    public RowValues EndStep(int step, int epoch, double learningRate)
    {
        if (inputs is null || targets is null) throw new InvalidOperationException("EndStep without BeginStep");
        var row = new RowValues()
            .Set(Columns.Step, step).Set(Columns.Epoch, epoch).Set(Columns.LearningRate, learningRate)
            .Set(Columns.BatchSize, inputs.shape[0]).Set(Columns.TrainLoss, trainLoss);
        if (measuring)
        {
            probeClock.Start();
            if (!gradientCaptured) throw new InvalidOperationException("EndStep without CaptureGradient");
            // θ_{t+1} stays with the recorder after this step: the next step's θ_t when nothing changes it in between.
            vectors!.End();
            // u_t was formed in one step at this rate: anything else would make the row wrong, so it is refused.
            if (vectors.FromOptimiser && (knownUpdate!.Steps, knownUpdate.LastLearningRate, learningRate) != (expectedStep.Steps, expectedStep.LearningRate, expectedStep.LearningRate))
                throw new InvalidOperationException("the recorder's optimiser must take exactly one step, with the learning rate given to CaptureGradient and EndStep, between the two calls");
            using var stateAfter = stateBefore is not null ? ModelState.Capture(model) : null;
            // The one place where schedules are checked.
            var scheduled = probes.Where(p => p.Schedule.Includes(step, epoch)).ToList();
            using var batch = scheduled.Any(p => p.EvaluatesModel) ? DataView.Borrow(Columns.BatchView, inputs, targets, options.BatchChunkSize) : null;
            var context = new StepContext(vectors)
            {
                Step = step, Epoch = epoch, LearningRate = learningRate, TrainLoss = trainLoss,
                GradientNorm = vectors.GradientNorm, UpdateNorm = vectors.UpdateNorm, DistanceFromInit = vectors.DistanceFromInit,
                CosineGradient = vectors.CosineGradient, CosineUpdate = vectors.CosineUpdate,
                Profiles = profileLog, StateBefore = stateBefore, StateAfter = stateAfter, BatchView = batch, Model = model, Parameters = parameters,
            };
            foreach (var probe in scheduled) probe.Observe(context, row);
            LastStepRecorded = scheduled.OfType<SegmentProfileProbe>().Any();
            if (LastStepRecorded) RecordedSteps++;
            // g_t and u_t become g_{t−1} and u_{t−1}.
            vectors.Advance();
            DisposeStepState();
            probeClock.Stop();
        }
        foreach (var (column, value) in loopValues) row.Set(column, value);
        loopValues.Clear();
        steps.Append(row);
        manifest?.Stepped(step, learningRate, inputs.shape[0], RecordedSteps);
        (inputs, targets) = (null, null);
        return row;
    }

    /// <summary>Pushes everything written so far to disk (the trainer calls it at least every epoch).</summary>
    public void Flush()
    {
        steps.Flush();
        profiles.Flush();
        manifest?.Write(ProbeTime, finished: false);
    }

    /// <summary>Byte lengths of steps.csv and profiles.csv with everything so far flushed to disk (for a checkpoint).</summary>
    public (long Steps, long Profiles) FlushToDisk()
    {
        steps.FlushToDisk();
        profiles.FlushToDisk();
        return (steps.Length, profiles.Length);
    }

    /// <summary>The probes' cross-step tensors, named "probe/name" (owned by the probes: read, do not dispose).</summary>
    public IEnumerable<(string Name, Tensor Value)> SaveState() =>
        probes.OfType<IStatefulProbe>().SelectMany(p => p.SaveState().Select(s => ($"{((IProbe)p).Name}/{s.Name}", s.Value)))
            .Concat(VectorState().SelectMany(v => v.State.Select(s => ($"{v.Probe}/{s.Name}", s.Value))));

    /// <summary>The cheap probes' cross-step vectors, kept by <see cref="StepVectors"/> under their probes' names.</summary>
    private IEnumerable<(string Probe, IEnumerable<(string Name, Tensor Value)> State)> VectorState()
    {
        if (vectors is null) yield break;
        yield return ("dist-init", vectors.InitialState());
        yield return ("cosines", vectors.CosineState());
    }

    /// <summary>Restores what <see cref="SaveState"/> gave and the recorded-step count, between two steps.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, int recordedSteps)
    {
        Dictionary<string, Tensor> Of(string probe) =>
            state.Where(p => p.Key.StartsWith(probe + "/", StringComparison.Ordinal)).ToDictionary(p => p.Key[(probe.Length + 1)..], p => p.Value);
        foreach (var probe in probes.OfType<IStatefulProbe>()) probe.LoadState(Of(((IProbe)probe).Name), parameters);
        vectors?.LoadInitial(Of("dist-init"));
        vectors?.LoadCosine(Of("cosines"));
        RecordedSteps = recordedSteps;
        vectors?.ParametersReplaced(); // the caller is restoring a checkpoint: the parameters are being replaced too
    }

    /// <summary>Whether two lists name the same tensors (same storage, in the same order).</summary>
    private static bool SameParameters(IReadOnlyList<Parameter> a, IReadOnlyList<Parameter> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.numel() == p.Second.numel()
            && (!StepPass.Supports([p.First, p.Second]) || StepPass.Address(p.First) == StepPass.Address(p.Second)));

    private void DisposeStepState()
    {
        stateBefore?.Dispose();
        stateBefore = null;
        gradientCaptured = false;
    }

    public void Dispose()
    {
        DisposeStepState();
        vectors?.Dispose();
        foreach (var probe in probes) probe.Dispose();
        probeViewProfiler.Dispose();
        probeView?.Dispose();
        steps.Dispose();
        profiles.Dispose();
        manifest?.Write(ProbeTime, finished: true);
    }
}
