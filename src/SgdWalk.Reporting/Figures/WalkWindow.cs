namespace SgdWalk.Reporting.Figures;

/// <summary>Which recorded steps the walk figure concatenates.</summary>
internal static class WalkWindow
{
    /// <summary>
    /// With a start: the first <paramref name="count"/> profiled steps at or after it. Without: the first run of
    /// consecutive steps at least <paramref name="count"/> long, else the longest run, cut to <paramref name="count"/>
    /// (the paper concatenates consecutive iterations, so gaps would misread as arches).
    /// </summary>
    public static int[] Select(IReadOnlyList<int> profiled, int? start, int count)
    {
        if (start is { } s) return profiled.Where(t => t >= s).Take(count).ToArray();
        int[] best = [];
        int runStart = 0;
        for (int i = 1; i <= profiled.Count; i++)
        {
            if (i < profiled.Count && profiled[i] == profiled[i - 1] + 1) continue;
            int length = i - runStart;
            if (length > best.Length) best = profiled.Skip(runStart).Take(length).ToArray();
            if (best.Length >= count) break;
            runStart = i;
        }
        return best.Take(count).ToArray();
    }
}
