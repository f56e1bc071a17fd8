namespace SgdWalk.Records;

/// <summary>
/// An append-only CSV file with a fixed header, written as the run goes. Rows are dictionaries from column name to
/// value so producers (probes) need not agree on an order; columns a row lacks stay empty ("not measured").
/// </summary>
public sealed class CsvLog : IDisposable
{
    private readonly StreamWriter writer;
    private readonly Dictionary<string, int> index;

    public CsvLog(string path, IReadOnlyList<string> columns)
    {
        var duplicate = columns.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"column '{duplicate.Key}' appears twice in {Path.GetFileName(path)}");
        Path_ = path;
        Columns = columns;
        index = columns.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read), new System.Text.UTF8Encoding(false));
        writer.NewLine = "\n";
        writer.WriteLine(string.Join(',', columns.Select(CsvFormat.Text)));
    }

    public IReadOnlyList<string> Columns { get; }

    private string Path_ { get; }

    public void Append(IReadOnlyDictionary<string, string> cells)
    {
        var row = new string[Columns.Count];
        Array.Fill(row, "");
        foreach (var (column, cell) in cells)
        {
            if (!index.TryGetValue(column, out int i))
                throw new ArgumentException($"column '{column}' is not in {Path.GetFileName(Path_)}");
            row[i] = cell;
        }
        writer.WriteLine(string.Join(',', row.Select(CsvFormat.Text)));
    }

    public void Append(RowValues values) => Append(values.Cells);

    public void Flush() => writer.Flush();

    public void Dispose() => writer.Dispose();
}

/// <summary>One row under construction: named numbers and texts, formatted the one way every file uses.</summary>
public sealed class RowValues
{
    private readonly Dictionary<string, string> cells = new();

    public IReadOnlyDictionary<string, string> Cells => cells;

    public RowValues Set(string column, double value) { cells[column] = CsvFormat.Number(value); return this; }

    public RowValues Set(string column, double? value) { cells[column] = CsvFormat.Number(value); return this; }

    public RowValues Set(string column, long value) { cells[column] = CsvFormat.Integer(value); return this; }

    public RowValues Set(string column, bool value) { cells[column] = value ? "1" : "0"; return this; }

    public RowValues SetText(string column, string value) { cells[column] = value; return this; }

    /// <summary>A number set earlier in this row (NaN when absent or empty): lets a later probe build on an earlier one.</summary>
    public double Number(string column) => cells.TryGetValue(column, out string? cell) ? CsvFormat.ParseNumber(cell) : double.NaN;
}
