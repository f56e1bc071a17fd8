using System.Globalization;

namespace SgdWalk.Sweeps;

/// <summary>
/// Shard I of N (1-based): the cells whose index leaves remainder I−1 when divided by N. The N shards are disjoint and
/// together cover the sweep, so any scheduler can run them on machines that share the sweep folder.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    public static readonly Shard All = new(1, 1);

    public bool Includes(int cellIndex) => cellIndex % Count == Index - 1;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    /// <summary>Parses "I/N" with 1 ≤ I ≤ N.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && count >= 1 && index >= 1 && index <= count)
            return new Shard(index, count);
        throw new FormatException($"--shard must be I/N with 1 <= I <= N, e.g. 2/4 (got '{text}')");
    }
}
