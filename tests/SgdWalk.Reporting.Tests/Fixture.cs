using SgdWalk.Reporting;

namespace SgdWalk.Reporting.Tests;

/// <summary>A private copy of a fixture folder (reports write into the folder), deleted afterwards.</summary>
public sealed class Fixture : IDisposable
{
    public const string RealRun = "fashion-mnist-60";
    public const string Synthetic = "synthetic-3-epochs";
    public const string Sweep = "sweep-2x2";

    public Fixture(string name)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sgdwalk-report-{Guid.NewGuid():N}", name);
        Copy(System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name), Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public IReadOnlyList<string> Build(ReportOptions? options = null) => ReportBuilder.Build(Path, options ?? new ReportOptions());

    public void Dispose() => Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, recursive: true);

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from)) System.IO.File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetFileName(file)));
        foreach (string dir in Directory.GetDirectories(from)) Copy(dir, System.IO.Path.Combine(to, System.IO.Path.GetFileName(dir)));
    }
}
