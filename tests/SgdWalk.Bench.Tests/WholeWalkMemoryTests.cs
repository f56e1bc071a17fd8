using SgdWalk.Bench.Workloads;

namespace SgdWalk.Bench.Tests;

/// <summary>The bench's reading of a walk's memory.csv: steps, recorded steps, and growth after the settle point.</summary>
public class WholeWalkMemoryTests
{
    [Fact]
    public void Growth_is_the_largest_rss_after_the_settle_point_minus_the_rss_there()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(folder, "memory.csv"), """
            step,recorded_steps,phase,rss_mb,peak_mb
            0,1,recorded,300.0,310.0
            1,2,recorded,500.0,510.0
            2,3,recorded,520.0,530.0
            3,4,recorded,600.0,610.0
            4,5,recorded,640.0,650.0
            50,5,step,630.0,650.0
            100,6,recorded,700.5,710.0
            110,7,evaluation,660.0,710.0
            """.ReplaceLineEndings("\n") + "\n");
        var (steps, recorded, growth) = DefaultRunMemory.Trace(folder);
        Assert.Equal(110, steps);
        Assert.Equal(7, recorded);
        Assert.Equal(100.5, growth, 9); // 700.5 after recorded step 3, the 4th (600.0)
    }

    [Fact]
    public void A_walk_with_fewer_recorded_steps_than_the_settle_point_has_no_growth()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(folder, "memory.csv"), "step,recorded_steps,phase,rss_mb,peak_mb\n0,1,recorded,300.0,310.0\n");
        Assert.True(double.IsNaN(DefaultRunMemory.Trace(folder).GrowthMb));
        Assert.Equal((0, 0), (DefaultRunMemory.Trace(Directory.CreateTempSubdirectory().FullName).Steps, 0));
    }

    [Theory]
    [InlineData("mlp", false, null, null)]
    [InlineData("small-cnn", false, 60, "every:6")]
    [InlineData("mlp", true, 2, null)]
    public void The_measured_walks_are_the_targets_walks(string model, bool quick, int? steps, string? record) =>
        Assert.Equal((steps, record), DefaultRunMemory.WalkOf(model, quick));
}
