using SgdWalk.Records;

namespace SgdWalk.Tests;

/// <summary>The samples are run by the suite, so the "use it from your own loop" example of docs/library.md never rots.</summary>
public class SampleTests
{
    [Fact]
    public void The_custom_loop_sample_records_a_walk_of_a_model_the_library_does_not_know()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        Assert.Equal(0, CustomLoop.Program.Main(["30", folder]));
        var steps = CsvTable.Read(Path.Combine(folder, "steps.csv"));
        Assert.Equal(30, steps.Rows.Count);
        var recorded = steps.Numbers("probe_height").Count(v => !double.IsNaN(v));
        Assert.Equal(20 + 1, recorded); // steps 0-19, plus step 20 (every:10)
        Assert.All(steps.Numbers("dist_init").Skip(1), d => Assert.True(d > 0));
        var profiles = CsvTable.Read(Path.Combine(folder, "profiles.csv"));
        Assert.Equal(21 * 11 * 2, profiles.Rows.Count);
    }
}
