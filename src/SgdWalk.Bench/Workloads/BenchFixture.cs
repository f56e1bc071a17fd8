using SgdWalk.Bench.Primitives;
using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Models;
using SgdWalk.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Bench.Workloads;

/// <summary>
/// One model in a realistic state and everything its workloads read: the segment θ_t → θ_{t+1} of one SGD step taken
/// after a short warm-up from the seeded initialisation, that step's mini-batch (the batch view), the probe view (the
/// first training samples), the HVP view and a seeded unit direction. Built once per model, so every thread count
/// measures the same segment; the model is left at θ_{t+1} with its buffers as they were after that step.
/// </summary>
public sealed class BenchFixture : IDisposable
{
    private BenchFixture(string name, nn.Module<Tensor, Tensor> model, IReadOnlyList<Parameter> parameters, IReadOnlyList<string> names)
    {
        Name = name;
        Model = model;
        Parameters = parameters;
        ParameterNames = names;
    }

    public string Name { get; }
    public nn.Module<Tensor, Tensor> Model { get; }
    public IReadOnlyList<Parameter> Parameters { get; }
    /// <summary>named_parameters() names, in parameters() order.</summary>
    public IReadOnlyList<string> ParameterNames { get; }
    public long[] InputShape { get; private init; } = [];
    public Segment Segment { get; private set; } = null!;
    public ModelState EndState { get; private set; } = null!;
    public DataView BatchView { get; private set; } = null!;
    public DataView ProbeView { get; private set; } = null!;
    public DataView HvpView { get; private set; } = null!;
    public ParamVector HvpDirection { get; private set; } = null!;
    public FlopCount Flops { get; private set; } = null!;
    public PlainSgdStep Trainer { get; private set; } = null!;
    // The training split as float32 inputs (the data set may hold uint8 pixels), read by Trainer.
    private Tensor? trainInputs;

    public static BenchFixture Create(string name, DataBundle data, BenchPlan plan)
    {
        var train = data.Train;
        manual_seed(plan.Seed);
        var model = ModelZoo.Create(name, new ModelSpec(train.Channels, train.Height, train.Width, train.Classes));
        var parameters = model.parameters().ToList();
        var named = model.named_parameters().ToList();
        // The exchange files list parameters by name in parameters() order; the two enumerations must agree.
        if (named.Count != parameters.Count || named.Where((p, i) => p.parameter.Handle != parameters[i].Handle).Any())
            throw new InvalidOperationException($"{name}: named_parameters() and parameters() disagree on order");

        var trainInputs = train.Inputs().DetachFromDisposeScope();
        var fixture = new BenchFixture(name, model, parameters, named.Select(p => p.name).ToArray())
        {
            InputShape = [train.Channels, train.Height, train.Width],
            trainInputs = trainInputs,
            Trainer = new PlainSgdStep(model, parameters, trainInputs, train.Labels, plan.TrainBatch, plan.LearningRate, new SeedStreams(plan.Seed).Order),
        };
        fixture.Flops = FlopCount.Of(model, train.Channels, train.Height, train.Width);

        // A few steps away from the initialisation, so the segment looks like the walk's (not like step 0's).
        for (int i = 0; i < plan.WarmupSteps; i++) fixture.Trainer.Run();

        // The segment: θ_t, one more step on a kept mini-batch B_t, θ_{t+1}; with the buffers at both ends, for the
        // running-statistics BatchNorm policy (batch-stats ignores them).
        var start = ParamVector.OfValues(parameters);
        var startState = ModelState.Capture(model);
        using (var batch = fixture.Trainer.NextIndices())
        {
            var (inputs, targets) = fixture.Trainer.Gather(batch);
            fixture.BatchView = DataView.Own("batch", inputs, targets, plan.TrainBatch);
            fixture.Trainer.Step(inputs, targets);
        }
        var end = ParamVector.OfValues(parameters);
        fixture.EndState = ModelState.Capture(model);
        fixture.Segment = new Segment(start, end, end.Minus(start), startState, fixture.EndState);

        int probe = Math.Min(plan.ProbeCount, train.Count);
        fixture.ProbeView = DataView.Own("probe", trainInputs.narrow(0, 0, probe).clone(), train.Labels.narrow(0, 0, probe).clone(), plan.ProbeChunk);
        int hvp = Math.Min(plan.HvpSamples, probe);
        fixture.HvpView = DataView.Own("hvp", trainInputs.narrow(0, 0, hvp).clone(), train.Labels.narrow(0, 0, hvp).clone(), plan.HvpChunk);

        // A seeded direction of unit length, drawn from the stream a run's curvature probes use for their start vectors.
        using (var generator = new Generator((ulong)new SeedStreams(plan.Seed).Sharpness))
        using (var scope = NewDisposeScope())
        {
            var v = randn([end.Length], generator: generator);
            fixture.HvpDirection = end.Like(v.div_(v.norm()).MoveToOuterDisposeScope());
        }
        return fixture;
    }

    /// <summary>
    /// A segment that ends exactly at θ_t (θ_t − u_t → θ_t, with θ_t's buffers at both ends): the step before, for
    /// timing a recorded step whose predecessor was recorded too. Disposing it frees only its own vectors.
    /// </summary>
    public PreviousStep PreviousSegment()
    {
        var start = Segment.Start.Minus(Segment.Direction);
        var end = Segment.Start.Clone();
        return new PreviousStep(new Segment(start, end, end.Minus(start), Segment.StartState, Segment.StartState));
    }

    /// <summary>See <see cref="PreviousSegment"/>.</summary>
    public sealed record PreviousStep(Segment Segment) : IDisposable
    {
        public void Dispose()
        {
            Segment.Start.Dispose();
            Segment.End.Dispose();
            Segment.Direction.Dispose();
        }
    }

    /// <summary>Puts the model back at θ_{t+1} with the buffers it had there (after a workload that trains).</summary>
    public void RestoreEnd()
    {
        Segment.End.WriteTo(Parameters);
        EndState.Restore();
        foreach (var p in Parameters) p.grad?.zero_();
    }

    public void Dispose()
    {
        Trainer?.Dispose();
        trainInputs?.Dispose();
        Segment?.Start.Dispose();
        Segment?.End.Dispose();
        Segment?.Direction.Dispose();
        Segment?.StartState?.Dispose();
        EndState?.Dispose();
        BatchView?.Dispose();
        ProbeView?.Dispose();
        HvpView?.Dispose();
        HvpDirection?.Dispose();
        Model.Dispose();
    }
}
