using SgdWalk.Probes;
using SgdWalk.Training;

namespace SgdWalk.Tests.Training;

public class ScheduleTests
{
    [Fact]
    public void Learning_rate_schedules_follow_their_definitions()
    {
        Assert.Equal(0.1, LearningRateSchedule.Parse("constant", 0.1, 10).At(7.3));

        var step = LearningRateSchedule.Parse("step:3,6:0.1", 1.0, 10);
        Assert.Equal(1.0, step.At(2.99));
        Assert.Equal(0.1, step.At(3), 12);
        Assert.Equal(0.01, step.At(9), 12);

        var cosine = LearningRateSchedule.Parse("cosine", 1.0, 10);
        Assert.Equal(1.0, cosine.At(0), 12);
        Assert.Equal(0.5, cosine.At(5), 12);
        Assert.Equal(0.0, cosine.At(10), 12);

        // Relative to --lr, like every other schedule: between 0.01·lr and lr.
        var cyclic = LearningRateSchedule.Parse("cyclic:0.01:1:20", 0.5, 100);
        Assert.Equal(0.005, cyclic.At(0), 12);
        Assert.Equal(0.5, cyclic.At(10), 12);
        Assert.Equal(0.2525, cyclic.At(25), 12);
        // So two learning rates give two different walks (a sweep over --lr with a cyclic schedule).
        Assert.Equal(2 * cyclic.At(7), LearningRateSchedule.Parse("cyclic:0.01:1:20", 1.0, 100).At(7), 12);

        var trapezoid = LearningRateSchedule.Parse("trapezoid:10:20", 1.0, 100);
        Assert.Equal(0.1, trapezoid.At(0), 12);
        Assert.Equal(0.55, trapezoid.At(5), 12);
        Assert.Equal(1.0, trapezoid.At(50), 12);
        Assert.Equal(1.0, trapezoid.At(80), 12);
        Assert.Equal(0.505, trapezoid.At(90), 12);
        Assert.Equal(0.01, trapezoid.At(100), 12);

        Assert.Equal(0.5, LearningRateSchedule.Parse("step:1:0.5", 1.0, 3).AtStep(10, 10), 12);
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("step:3")]
    [InlineData("cyclic:a:1:2")]
    [InlineData("cyclic:0.1:1:0")]
    [InlineData("cyclic:0.5:0.1:2")]
    public void Bad_schedules_say_what_is_wrong(string text)
    {
        var e = Assert.Throws<FormatException>(() => LearningRateSchedule.Parse(text, 0.1, 10));
        Assert.Contains(text.Split(':')[0], e.Message);
    }

    [Fact]
    public void Record_schedules_select_the_documented_steps()
    {
        var s = RecordSchedule.Parse("steps:0-4,10+every:100+epochs:3");
        Assert.True(s.Includes(0, 1));
        Assert.True(s.Includes(4, 1));
        Assert.False(s.Includes(5, 1));
        Assert.True(s.Includes(10, 1));
        Assert.True(s.Includes(200, 2));
        Assert.False(s.Includes(201, 2));
        Assert.True(s.Includes(201, 3));
        Assert.True(RecordSchedule.All.Includes(12345, 9));
        Assert.False(RecordSchedule.None.Includes(0, 1));
        Assert.True(RecordSchedule.None.IsNone);

        var d = RecordSchedule.Parse(RecordSchedule.Default);
        Assert.Equal(Enumerable.Range(0, 120).Where(t => t < 50 || t % 10 == 0), Enumerable.Range(0, 120).Where(t => d.Includes(t, 1)));
    }

    [Theory]
    [InlineData("some")]
    [InlineData("every:0")]
    [InlineData("steps:9-3")]
    [InlineData("epochs:x")]
    public void Bad_record_schedules_are_refused(string text) =>
        Assert.Throws<FormatException>(() => RecordSchedule.Parse(text));

    [Fact]
    public void Options_validation_names_each_problem_with_its_range()
    {
        var errors = new TrainOptions { LearningRate = -1, BatchSize = 0, Momentum = 1.5, Compat = (CompatMode)7 }.Validate();
        Assert.Contains(errors, e => e.Contains("--lr must be a positive number (got -1)"));
        Assert.Contains(errors, e => e.Contains("--batch-size must be at least 1 (got 0)"));
        Assert.Contains(errors, e => e.Contains("--momentum must be in [0, 1)"));
        Assert.Contains(errors, e => e.Contains("--compat"));
        Assert.Empty(new TrainOptions().Validate());
    }

    [Fact]
    public void Authors_compat_applies_their_conventions()
    {
        var o = new TrainOptions { Compat = CompatMode.Authors, ProbeSize = 5000 }.Resolve();
        Assert.Equal(10, o.Recorder.Alphas.Count);
        Assert.Equal(0.9, o.Recorder.Alphas[^1], 12);
        Assert.Null(o.ProbeSize);
        Assert.Equal(100, o.MicroBatch);
    }
}
