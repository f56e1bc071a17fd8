using SgdWalk.Experiments;
using SgdWalk.Landscape;

namespace SgdWalk.Cli.Tests;

/// <summary>The curvature presets in the experiment catalog: their options, with overrides on top.</summary>
public class ExperimentOverrideTests
{
    [Fact]
    public void Curvature_presets_are_catalog_entries_whose_overrides_keep_the_rest()
    {
        var experiment = ExperimentCatalog.Find("edge-of-stability");
        var plan = experiment.Plan(new ExperimentRequest(ExperimentScale.Cpu, SgdWalk.Training.CompatMode.None,
            o => o with
            {
                LearningRate = 0.05,
                Hidden = [64],
                Recorder = o.Recorder with { Sharpness = o.Recorder.Sharpness with { Eigen = EigenMethod.Power } },
            }));
        var merged = Assert.Single(plan.Cells).Options;
        Assert.Equal(0.05, merged.LearningRate);
        Assert.Equal(EigenMethod.Power, merged.Recorder.Sharpness.Eigen);
        Assert.Equal([64], merged.Hidden);
        Assert.Equal(5000, merged.BatchSize);
        Assert.Equal(5000, merged.TrainSize);
        Assert.Equal("every:10", merged.Recorder.Sharpness.Schedule.Text);
        Assert.False(merged.ModelBatchNorm);
        Assert.Null(merged.ProbeSize);
        Assert.Empty(merged.Validate());
        var paper = Assert.Single(ExperimentCatalog.Find("edge-of-stochastic-stability").Plan(new ExperimentRequest(ExperimentScale.Paper)).Cells).Options;
        Assert.Empty(paper.Validate());
        Assert.Equal([500, 350], paper.Hidden);
    }
}
