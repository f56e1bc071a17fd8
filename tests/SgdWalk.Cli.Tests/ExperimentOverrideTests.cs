using SgdWalk.Cli.Commands;
using SgdWalk.Experiments;
using SgdWalk.Landscape;
using SgdWalk.Training;

namespace SgdWalk.Cli.Tests;

/// <summary>`sgdwalk experiment`: the preset's options, with the command line's non-default values on top.</summary>
public class ExperimentOverrideTests
{
    [Fact]
    public void Options_given_on_the_command_line_override_the_preset_and_the_rest_is_kept()
    {
        var preset = CurvaturePresets.Create("edge-of-stability");
        var defaults = new TrainOptions();
        var given = defaults with { LearningRate = 0.05, Eigen = EigenMethod.Power, Hidden = [64] };
        var merged = ExperimentCommand.Override(preset, given, defaults);
        Assert.Equal(0.05, merged.LearningRate);
        Assert.Equal(EigenMethod.Power, merged.Eigen);
        Assert.Equal([64], merged.Hidden);
        Assert.Equal(5000, merged.BatchSize);
        Assert.Equal(5000, merged.TrainSize);
        Assert.Equal("every:10", merged.Sharpness);
        Assert.False(merged.ModelBatchNorm);
        Assert.Null(merged.ProbeSize);
        Assert.Empty(merged.Validate());
        Assert.Empty(CurvaturePresets.Create("edge-of-stochastic-stability", "paper").Validate());
    }
}
