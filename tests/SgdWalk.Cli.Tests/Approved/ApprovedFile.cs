namespace SgdWalk.Cli.Tests.Approved;

/// <summary>
/// Approved text files under tests/SgdWalk.Cli.Tests/Approved: a test compares what the code produces today with
/// what a reviewer approved. `SGDWALK_APPROVE=1 ./test.sh --filter Approved` rewrites them from the current code, so
/// a change that alters them shows up in the diff of the commit.
/// </summary>
internal static class ApprovedFile
{
    public static bool Approving => Environment.GetEnvironmentVariable("SGDWALK_APPROVE") == "1";

    /// <summary>The folder of approved files in the source tree (found from the test binary's location).</summary>
    public static string Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "SgdWalk.slnx")))
                    return Path.Combine(dir.FullName, "tests", "SgdWalk.Cli.Tests", "Approved");
            throw new DirectoryNotFoundException("no SgdWalk.slnx above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The approved text, or (when approving) <paramref name="received"/> written as the new approved text.</summary>
    public static string Read(string relativePath, string received)
    {
        var path = Path.Combine(Folder, relativePath);
        if (Approving)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, received);
        }
        Assert.True(File.Exists(path), $"{path} is missing: run `SGDWALK_APPROVE=1 ./test.sh --filter Approved` and review the new file");
        return File.ReadAllText(path);
    }
}
