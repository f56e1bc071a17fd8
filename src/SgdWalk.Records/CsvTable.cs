using System.Text;

namespace SgdWalk.Records;

/// <summary>A CSV file read back whole: the reading side of the run-folder contract (reports, tests, summaries).</summary>
public sealed class CsvTable
{
    private readonly Dictionary<string, int> index;

    private CsvTable(IReadOnlyList<string> columns, IReadOnlyList<string[]> rows)
    {
        Columns = columns;
        Rows = rows;
        index = columns.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
    }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<string[]> Rows { get; }

    public bool Has(string column) => index.ContainsKey(column);

    public string Text(int row, string column) => Rows[row][Column(column)];

    public double Number(int row, string column) => CsvFormat.ParseNumber(Text(row, column));

    /// <summary>Every value of a numeric column, NaN where the cell is empty.</summary>
    public double[] Numbers(string column)
    {
        int c = Column(column);
        return Rows.Select(r => CsvFormat.ParseNumber(r[c])).ToArray();
    }

    private int Column(string column) =>
        index.TryGetValue(column, out int i) ? i : throw new KeyNotFoundException($"no column '{column}'");

    /// <summary>Reads the whole file. Every row SgdWalk writes ends with a newline, so a last line without one is a
    /// row still being written (a live run, or one killed mid-row) and is left out.</summary>
    public static CsvTable Read(string path)
    {
        string text;
        // FileShare.ReadWrite: a live run appends to the file while it is read.
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(stream, Encoding.UTF8))
            text = reader.ReadToEnd();
        text = text[..(text.LastIndexOf('\n') + 1)];
        var records = Parse(text).ToList();
        if (records.Count == 0) throw new InvalidDataException($"{path}: empty CSV file (no header)");
        var header = records[0];
        foreach (var (r, i) in records.Skip(1).Select((r, i) => (r, i + 2)))
            if (r.Length != header.Length)
                throw new InvalidDataException($"{path}: line {i} has {r.Length} cells, the header has {header.Length}");
        return new CsvTable(header, records.Skip(1).ToList());
    }

    // RFC 4180: quoted cells may hold commas, quotes ("") and newlines.
    private static IEnumerable<string[]> Parse(string text)
    {
        var row = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false, any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            any = true;
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else cell.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (ch == '\n')
            {
                row.Add(cell.ToString()); cell.Clear();
                yield return row.ToArray();
                row.Clear(); any = false;
            }
            else if (ch != '\r') cell.Append(ch);
        }
        if (any) { row.Add(cell.ToString()); yield return row.ToArray(); }
    }
}
