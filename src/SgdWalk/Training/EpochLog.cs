using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>
/// epochs.csv: at every epoch end, loss and accuracy on the probe subset, validation and test, measured the usual way
/// (eval mode, running BatchNorm statistics) and leaving the model exactly as it was.
/// </summary>
internal sealed class EpochLog : IDisposable
{
    public static readonly string[] Columns =
        ["epoch", "step", "train_loss", "train_acc", "val_loss", "val_acc", "test_loss", "test_acc", "wall_s"];

    private readonly nn.Module<Tensor, Tensor> model;
    private readonly LossSurface evaluator;
    private readonly DataView train, validation, test;
    private readonly CsvLog log;
    private readonly TensorBoardLog? tensorBoard;

    public EpochLog(nn.Module<Tensor, Tensor> model, DataBundle data, long[] probeIndices, Device device, int chunkSize, string path, long? resumeAt,
        TensorBoardLog? tensorBoard)
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
        log = new CsvLog(path, Columns, resumeAt);
    }

    /// <summary>Bytes of epochs.csv on disk after <see cref="FlushToDisk"/> (a checkpoint records it).</summary>
    public long Length => log.Length;

    public void Evaluate(int epoch, int step, double wallSeconds)
    {
        using var state = ModelState.Capture(model);
        var onTrain = evaluator.Evaluate(train);
        var onValidation = validation.Count > 0 ? evaluator.Evaluate(validation) : new Evaluation(double.NaN, double.NaN);
        var onTest = test.Count > 0 ? evaluator.Evaluate(test) : new Evaluation(double.NaN, double.NaN);
        state.Restore();
        var row = new RowValues()
            .Set("epoch", epoch).Set("step", step)
            .Set("train_loss", onTrain.Loss).Set("train_acc", onTrain.Accuracy)
            .Set("val_loss", onValidation.Loss).Set("val_acc", onValidation.Accuracy)
            .Set("test_loss", onTest.Loss).Set("test_acc", onTest.Accuracy)
            .Set("wall_s", wallSeconds);
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
    }
}
