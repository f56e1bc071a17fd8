using SgdWalk.Records;
using TorchSharp.Modules;
using static TorchSharp.torch.utils.tensorboard;

namespace SgdWalk.Training;

/// <summary>
/// Mirrors the run's rows into TensorBoard event files (TorchSharp's writer), so `tensorboard --logdir runs` shows
/// the per-step scalars under step/… and the per-epoch metrics under epoch/…. The CSV files stay the reference.
/// </summary>
public sealed class TensorBoardLog(string folder)
{
    private readonly SummaryWriter writer = SummaryWriter(folder);

    public void Step(int step, RowValues row) => Write("step", step, row, skip: ["step", "epoch"]);

    public void Epoch(int epoch, RowValues row) => Write("epoch", epoch, row, skip: ["epoch", "step"]);

    private void Write(string group, int x, RowValues row, string[] skip)
    {
        foreach (var (column, cell) in row.Cells)
        {
            if (skip.Contains(column) || cell.Length == 0) continue;
            writer.add_scalar($"{group}/{column}", (float)CsvFormat.ParseNumber(cell), x);
        }
    }
}
