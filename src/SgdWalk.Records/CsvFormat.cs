using System.Globalization;

namespace SgdWalk.Records;

/// <summary>
/// Number formatting shared by every file we write. Invariant culture and round-trip formatting, so a file written
/// under a decimal-comma culture reads back bit for bit anywhere; an empty cell means "not measured".
/// </summary>
public static class CsvFormat
{
    public static string Number(double value) =>
        double.IsNaN(value) ? "" : value.ToString("R", CultureInfo.InvariantCulture);

    public static string Number(double? value) => value is { } v ? Number(v) : "";

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses a cell written by <see cref="Number(double)"/>; empty means NaN.</summary>
    public static double ParseNumber(string cell) =>
        cell.Length == 0 ? double.NaN : double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Quotes a text cell only when it needs it (RFC 4180).</summary>
    public static string Text(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
