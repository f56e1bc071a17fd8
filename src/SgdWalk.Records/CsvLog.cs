namespace SgdWalk.Records;

/// <summary>
/// An append-only CSV file with a fixed header, written as the run goes. Rows are dictionaries from column name to
/// value so producers (probes) need not agree on an order; columns a row lacks stay empty ("not measured").
/// </summary>
public sealed class CsvLog : IDisposable
{
    private readonly StreamWriter writer;
    private readonly Dictionary<string, int> index;
    private readonly string fileName;

    /// <param name="path">The file; created (replacing any old one) unless <paramref name="resumeAt"/> is given.</param>
    /// <param name="columns">The header.</param>
    /// <param name="resumeAt">Resume an existing file: cut it back to this many bytes (a length recorded by
    /// <see cref="Length"/> at a checkpoint, so rows written after it are dropped) and append from there.</param>
    public CsvLog(string path, IReadOnlyList<string> columns, long? resumeAt = null)
    {
        var duplicate = columns.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"column '{duplicate.Key}' appears twice in {Path.GetFileName(path)}");
        fileName = Path.GetFileName(path);
        Columns = columns;
        index = columns.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        string header = string.Join(',', columns.Select(CsvFormat.Text)) + "\n";
        var stream = resumeAt is { } length ? OpenForResume(path, header, length) : new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false));
        writer.NewLine = "\n";
        if (resumeAt is null) writer.Write(header);
    }

    /// <summary>Bytes in the file once everything appended so far is flushed (what a checkpoint records).</summary>
    public long Length
    {
        get
        {
            writer.Flush();
            return writer.BaseStream.Position;
        }
    }

    private static FileStream OpenForResume(string path, string header, long length)
    {
        if (!File.Exists(path)) throw new IOException($"{path}: missing; cannot resume a run without it");
        var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            var expected = new System.Text.UTF8Encoding(false).GetBytes(header);
            var found = new byte[expected.Length];
            int read = stream.ReadAtLeast(found, found.Length, throwOnEndOfStream: false);
            if (read < found.Length || !found.AsSpan().SequenceEqual(expected))
                throw new IOException($"{path}: its header differs from this run's columns; cannot resume into it");
            if (length < expected.Length || length > stream.Length)
                throw new IOException($"{path}: has {stream.Length} bytes but the checkpoint recorded {length}; the file was cut short or replaced");
            stream.SetLength(length);
            stream.Seek(length, SeekOrigin.Begin);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public IReadOnlyList<string> Columns { get; }

    public void Append(IReadOnlyDictionary<string, string> cells)
    {
        var row = new string[Columns.Count];
        Array.Fill(row, "");
        foreach (var (column, cell) in cells)
        {
            if (!index.TryGetValue(column, out int i))
                throw new ArgumentException($"column '{column}' is not in {fileName}");
            row[i] = cell;
        }
        writer.WriteLine(string.Join(',', row.Select(CsvFormat.Text)));
    }

    public void Append(RowValues values) => Append(values.Cells);

    public void Flush() => writer.Flush();

    /// <summary>Flushes through the operating system's cache to the disk, so a checkpoint never points past what is stored.</summary>
    public void FlushToDisk()
    {
        writer.Flush();
        ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
    }

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
