namespace SgdWalk.Records;

/// <summary>Receives the sampled points of segment profiles: one (step, view, α, loss, accuracy) row each.</summary>
public interface IProfileSink
{
    void Add(int step, string view, double alpha, double loss, double accuracy);
}

/// <summary>profiles.csv as an <see cref="IProfileSink"/>: appends one row per point to the run folder's log.</summary>
public sealed class ProfileLog(CsvLog log) : IProfileSink
{
    public void Add(int step, string view, double alpha, double loss, double accuracy) =>
        log.Append(new RowValues().Set(Columns.Step, step).SetText(Columns.View, view).Set(Columns.Alpha, alpha)
            .Set(Columns.Loss, loss).Set(Columns.Accuracy, accuracy));
}
