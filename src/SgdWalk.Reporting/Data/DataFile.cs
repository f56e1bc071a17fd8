using SgdWalk.Records;

namespace SgdWalk.Reporting.Data;

/// <summary>
/// A CSV file of a run folder, checked once when read: required columns are present and every numeric cell parses,
/// so a malformed file fails here with its path, line and column instead of deep inside a figure.
/// </summary>
internal sealed class DataFile
{
    private readonly Dictionary<string, double[]> numbers = new(StringComparer.Ordinal);

    private DataFile(string path, CsvTable table)
    {
        Path = path;
        Table = table;
    }

    public string Path { get; }

    public CsvTable Table { get; }

    public int Count => Table.Rows.Count;

    public bool Has(string column) => Table.Has(column);

    /// <summary>Every value of a numeric column (NaN where not measured).</summary>
    public double[] Numbers(string column) =>
        numbers.TryGetValue(column, out var values)
            ? values
            : throw new InvalidDataException($"{Path}: no column '{column}'");

    /// <summary>The column's values, or null when the run did not write that column at all.</summary>
    public double[]? Optional(string column) => numbers.GetValueOrDefault(column);

    public string[] Texts(string column) =>
        Has(column) ? Enumerable.Range(0, Count).Select(r => Table.Text(r, column)).ToArray()
                    : throw new InvalidDataException($"{Path}: no column '{column}'");

    public static DataFile Read(string path, IReadOnlyCollection<string> required, IReadOnlyCollection<string>? textColumns = null)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: file is missing");
        var table = CsvTable.Read(path);
        var missing = required.Where(c => !table.Has(c)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{path}: missing column(s) {string.Join(", ", missing.Select(c => $"'{c}'"))}");

        var file = new DataFile(path, table);
        for (int c = 0; c < table.Columns.Count; c++)
        {
            string column = table.Columns[c];
            if (textColumns?.Contains(column) == true) continue;
            var values = new double[table.Rows.Count];
            for (int r = 0; r < values.Length; r++)
            {
                string cell = table.Rows[r][c];
                try { values[r] = CsvFormat.ParseNumber(cell); }
                catch (FormatException)
                {
                    // Line numbers count the header as line 1, as an editor shows them.
                    throw new InvalidDataException($"{path}: line {r + 2}, column '{column}': '{cell}' is not a number");
                }
            }
            file.numbers[column] = values;
        }
        return file;
    }
}
