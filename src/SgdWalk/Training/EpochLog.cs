using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>
/// epochs.csv: at every epoch end, loss and accuracy on the probe subset, validation and test, measured the usual way
/// (eval mode, running BatchNorm statistics) and leaving the model exactly as it was; and two distances from θ_0 that
/// the L2 distance misses (claim 3a): the mean angle between each parameter tensor and its initial value (radial
/// growth, which BatchNorm makes free, does not move it), and the share of validation images whose predicted class
/// differs from θ_0's (a distance in function space).
/// </summary>
internal sealed class EpochLog : IDisposable
{
    public static readonly string[] Columns =
        ["epoch", "step", "train_loss", "train_acc", "val_loss", "val_acc", "test_loss", "test_acc", Records.Columns.AngleFromInit,
            Records.Columns.DisagreementWithInit, "wall_s"];

    private readonly nn.Module<Tensor, Tensor> model;
    private readonly LossSurface evaluator;
    private readonly DataView train, validation, test;
    private readonly CsvLog log;
    private readonly TensorBoardLog? tensorBoard;
    private static readonly string[] WithoutDistances =
        [.. Columns.Where(c => c is not (Records.Columns.AngleFromInit or Records.Columns.DisagreementWithInit))];

    private readonly bool measuresDistances;
    private readonly List<Tensor> initialParameters;
    private readonly Tensor? initialPredictions;

    /// <param name="initialWeights">θ_0 on disk when resuming (the model then holds the seeded initialisation until the
    /// checkpoint is restored after this); null on a fresh run, whose model is θ_0 now.</param>
    public EpochLog(nn.Module<Tensor, Tensor> model, DataBundle data, long[] probeIndices, Device device, int chunkSize, string path, long? resumeAt,
        TensorBoardLog? tensorBoard, string? initialWeights = null)
    {
        this.model = model;
        this.tensorBoard = tensorBoard;
        evaluator = new LossSurface(model, LossSurface.CrossEntropy, BatchNormPolicy.Running);
        // The view owns one copy of its inputs: Inputs() is the view's own (uint8 pixels scaled once, here; float32 data a
        // view of its storage, which nothing writes). On the CPU `to` hands back another handle on the same tensor, so the
        // first handles are freed here rather than left to the finaliser (they kept a copy of each split alive per run).
        DataView View(string name, LabeledImages images)
        {
            using var inputs = images.Inputs();
            using var labels = images.Labels.to(device);
            return DataView.Own(name, inputs.to(device), labels.clone(), chunkSize);
        }
        using (var probeRows = data.Train.Select(probeIndices))
            train = View("train-probe", probeRows);
        validation = View("val", data.Validation);
        test = View("test", data.Test);
        // A run written before the distances from θ_0 existed resumes with the columns it has.
        measuresDistances = resumeAt is null || File.ReadLines(path).FirstOrDefault() != string.Join(',', WithoutDistances);
        log = new CsvLog(path, measuresDistances ? Columns : WithoutDistances, resumeAt);

        if (initialWeights is not null) model.load(initialWeights);
        using (no_grad())
            initialParameters = [.. model.parameters().Select(p => p.detach().clone().DetachFromDisposeScope())];
        if (Compared is { } view)
        {
            using var state = ModelState.Capture(model);
            var predictions = new List<Tensor>();
            evaluator.Evaluate(view, (_, inputs) => Predicting(inputs, predictions));
            state.Restore();
            initialPredictions = cat(predictions, 0).DetachFromDisposeScope();
            foreach (var p in predictions) p.Dispose();
        }
    }

    /// <summary>The images the function-space distance compares on: validation, else test, else none.</summary>
    private DataView? Compared => validation.Count > 0 ? validation : test.Count > 0 ? test : null;

    /// <summary>The model's outputs for a chunk, keeping its predicted classes.</summary>
    private Tensor Predicting(Tensor inputs, List<Tensor> predictions)
    {
        var outputs = model.call(inputs);
        predictions.Add(outputs.argmax(1).DetachFromDisposeScope());
        return outputs;
    }

    /// <summary>The mean over parameter tensors of the angle (radians) between θ and θ_0, tensors with a zero norm left out.</summary>
    private double AngleFromInit()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var angles = new List<double>();
        foreach (var (now, then) in model.parameters().Zip(initialParameters))
        {
            var a = now.to(ScalarType.Float64).flatten();
            var b = then.to(ScalarType.Float64).flatten();
            double na = a.norm().item<double>(), nb = b.norm().item<double>();
            if (na == 0 || nb == 0) continue;
            angles.Add(Math.Acos(Math.Clamp(a.dot(b).item<double>() / (na * nb), -1, 1)));
        }
        return angles.Count == 0 ? double.NaN : angles.Average();
    }

    /// <summary>Bytes of epochs.csv on disk after <see cref="FlushToDisk"/> (a checkpoint records it).</summary>
    public long Length => log.Length;

    public void Evaluate(int epoch, int step, double wallSeconds)
    {
        using var state = ModelState.Capture(model);
        var onTrain = evaluator.Evaluate(train);
        var predictions = new List<Tensor>();
        var compared = Compared;
        var onValidation = validation.Count > 0
            ? evaluator.Evaluate(validation, (_, inputs) => compared == validation ? Predicting(inputs, predictions) : model.call(inputs))
            : new Evaluation(double.NaN, double.NaN);
        var onTest = test.Count > 0
            ? evaluator.Evaluate(test, (_, inputs) => compared == test ? Predicting(inputs, predictions) : model.call(inputs))
            : new Evaluation(double.NaN, double.NaN);
        state.Restore();
        double disagreement = double.NaN;
        if (initialPredictions is not null)
        {
            using var now = cat(predictions, 0);
            using var differ = now.ne(initialPredictions);
            disagreement = differ.to(ScalarType.Float64).mean().item<double>();
        }
        foreach (var p in predictions) p.Dispose();
        var row = new RowValues()
            .Set("epoch", epoch).Set("step", step)
            .Set("train_loss", onTrain.Loss).Set("train_acc", onTrain.Accuracy)
            .Set("val_loss", onValidation.Loss).Set("val_acc", onValidation.Accuracy)
            .Set("test_loss", onTest.Loss).Set("test_acc", onTest.Accuracy)
            .Set("wall_s", wallSeconds);
        if (measuresDistances) row.Set(Records.Columns.AngleFromInit, AngleFromInit()).Set(Records.Columns.DisagreementWithInit, disagreement);
        log.Append(row);
        tensorBoard?.Epoch(epoch, row);
    }

    public void Flush() => log.Flush();

    public void FlushToDisk() => log.FlushToDisk();

    public void Dispose()
    {
        train.Dispose();
        validation.Dispose();
        test.Dispose();
        log.Dispose();
        foreach (var p in initialParameters) p.Dispose();
        initialPredictions?.Dispose();
    }
}
