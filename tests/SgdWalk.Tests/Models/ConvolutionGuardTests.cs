using SgdWalk.Models;
using SgdWalk.Platform;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Models;

/// <summary>
/// libtorch 2.10's oneDNN float32 convolution gives wrong input gradients with fewer than 16 output channels and a batch
/// above one on some CPUs and right ones on others. These tests do not assert which kind of CPU this is: they force each
/// condition (oneDNN on and off; a measurement that says wrong or right) and check that SgdWalk's decision follows the
/// measured truth. The oracle is float64, which takes libtorch's own kernels. Switching oneDNN here is safe: this
/// assembly runs its tests one at a time, and every test puts the process's decision back.
/// </summary>
public class ConvolutionGuardTests
{
    private static readonly ModelSpec NarrowSmallCnn = new(1, 8, 8, 4, [8, 8], true, null);

    [Fact]
    public void Auto_keeps_oneDnn_where_the_narrow_gradients_are_right_and_turns_it_off_where_they_are_wrong()
    {
        var right = ConvolutionGuard.Decide(OneDnnSetting.Auto, switchAvailable: true, () => 3e-8);
        Assert.True(right.OneDnn);
        Assert.Contains("right", right.Reason);
        foreach (double wrong in new[] { 0.4, double.PositiveInfinity, double.NaN })
        {
            var decision = ConvolutionGuard.Decide(OneDnnSetting.Auto, switchAvailable: true, () => wrong);
            Assert.False(decision.OneDnn);
            Assert.Contains("wrong", decision.Reason);
        }
    }

    [Fact]
    public void A_forced_setting_is_obeyed_without_measuring_and_garbage_is_refused()
    {
        double Never() => throw new InvalidOperationException("measured under a forced setting");
        Assert.True(ConvolutionGuard.Decide(OneDnnSetting.On, true, Never).OneDnn);
        Assert.False(ConvolutionGuard.Decide(OneDnnSetting.Off, true, Never).OneDnn);
        Assert.False(ConvolutionGuard.Decide(OneDnnSetting.Auto, false, Never).OneDnn);
        Assert.Equal(OneDnnSetting.Auto, ConvolutionGuard.ParseSetting(null));
        Assert.Equal(OneDnnSetting.Off, ConvolutionGuard.ParseSetting(" OFF "));
        var e = Assert.Throws<ArgumentException>(() => ConvolutionGuard.ParseSetting("garbage"));
        Assert.Contains("SGDWALK_ONEDNN='garbage'", e.Message);
    }

    /// <summary>The automatic decision on this machine, put in force whatever SGDWALK_ONEDNN says; returns the one it replaced.</summary>
    private static ConvolutionDecision UseAutomaticDecision()
    {
        var before = ConvolutionGuard.Configure();
        var automatic = ConvolutionGuard.Decide(OneDnnSetting.Auto, switchAvailable: true, () => ConvolutionGuard.NarrowGradientError(oneDnn: true));
        ConvolutionGuard.Restore(automatic, OneDnnSetting.Auto);
        return before;
    }

    [Fact]
    public void The_automatic_decision_gives_right_narrow_gradients_on_this_machine_whatever_it_is()
    {
        var before = UseAutomaticDecision();
        try
        {
            var decision = ConvolutionGuard.Current;
            Assert.Equal(decision.OneDnn, ConvolutionGuard.MkldnnEnabled());
            // Whichever way the measurement went, the setting in force computes the bug's shapes right.
            Assert.True(ConvolutionGuard.NarrowGradientError(decision.OneDnn) < 1e-5, decision.Reason);
            // And the decision is the one the measurement calls for.
            Assert.Equal(ConvolutionGuard.NarrowGradientError(oneDnn: true) <= ConvolutionGuard.Tolerance, decision.OneDnn);
        }
        finally
        {
            ConvolutionGuard.Restore(before);
        }
    }

    [Fact]
    public void A_wrong_model_gradient_under_auto_oneDnn_switches_it_off_and_is_measured_again()
    {
        var before = ConvolutionGuard.Configure();
        try
        {
            ConvolutionGuard.Restore(before with { OneDnn = true }, OneDnnSetting.Auto);
            var errors = new Queue<double>([0.37, 2e-7]);  // wrong with oneDNN, right without
            var settingsSeen = new List<bool?>();
            string? problem = ConvolutionGuard.Check(() =>
            {
                settingsSeen.Add(ConvolutionGuard.MkldnnEnabled());
                return errors.Dequeue();
            });
            Assert.Null(problem);
            Assert.Equal([true, false], settingsSeen);
            Assert.False(ConvolutionGuard.Current.OneDnn);
            Assert.Contains("3.7e-1", ConvolutionGuard.Current.Reason);

            // Forced on, the same measurement is refused instead.
            ConvolutionGuard.Restore(before with { OneDnn = true }, OneDnnSetting.On);
            errors = new Queue<double>([0.37]);
            Assert.NotNull(ConvolutionGuard.Check(() => errors.Dequeue()));
            Assert.True(ConvolutionGuard.MkldnnEnabled());
        }
        finally
        {
            ConvolutionGuard.Restore(before);
        }
    }

    [Fact]
    public void The_start_up_measurement_is_kept_per_machine_key_and_taken_again_for_another()
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "sgdwalk", "cache.tsv");
        int measured = 0;
        double Measure() { measured++; return measured == 1 ? 3e-8 : double.PositiveInfinity; }
        Assert.Equal(3e-8, MeasurementCache.Get(file, "cpu-a", Measure));
        Assert.Equal(3e-8, MeasurementCache.Get(file, "cpu-a", Measure));
        Assert.Equal(1, measured);
        Assert.Equal(double.PositiveInfinity, MeasurementCache.Get(file, "cpu-b", Measure));
        Assert.Equal(double.PositiveInfinity, MeasurementCache.Get(file, "cpu-b", Measure));
        Assert.Equal(2, measured);
        Assert.Equal(32, MeasurementCache.MachineKey().Length);
        Assert.Equal(MeasurementCache.MachineKey(), MeasurementCache.MachineKey());
        // An unwritable place only means measuring again.
        Assert.Equal(3e-8, MeasurementCache.Get("/proc/sgdwalk-cannot-write/cache.tsv", "cpu-a", () => 3e-8));
    }

    [Fact]
    public void A_gradient_still_wrong_is_refused_with_one_line_and_rounding_is_not()
    {
        Assert.Null(ConvolutionGuard.Judge(2e-7));
        string? refusal = ConvolutionGuard.Judge(0.3);
        Assert.NotNull(refusal);
        Assert.Contains("float32 gradient differs from float64", refusal);
        Assert.DoesNotContain('\n', refusal);
        Assert.NotNull(ConvolutionGuard.Judge(double.PositiveInfinity));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_guard_refuses_a_narrow_small_cnn_exactly_when_its_gradient_is_measured_wrong(bool oneDnn)
    {
        var before = UseAutomaticDecision();
        var automatic = ConvolutionGuard.Current;
        try
        {
            ConvolutionGuard.Restore(automatic with { OneDnn = oneDnn }, OneDnnSetting.On); // forced: no automatic switch
            manual_seed(3);
            using var model = ModelZoo.Create("small-cnn", NarrowSmallCnn);
            manual_seed(3);
            using var model64 = ModelZoo.Create("small-cnn", NarrowSmallCnn);
            model64.to(ScalarType.Float64);
            Assert.Equal(oneDnn, ConvolutionGuard.MkldnnEnabled());
            // The bug is intermittent where it is live: the guard must follow the measurements it took itself.
            var measured = new List<double>();
            string? problem = ConvolutionGuard.Check(() =>
            {
                double e = ModelGradientCheck.GradientError(model, model64, NarrowSmallCnn);
                measured.Add(e);
                return e;
            });
            Assert.True(measured.Any(e => !(e <= ConvolutionGuard.Tolerance)) == problem is not null, $"errors {string.Join(", ", measured)}, problem {problem}");
            // Under the automatic decision, a narrow network is never refused: it is right.
            ConvolutionGuard.Restore(automatic, OneDnnSetting.Auto);
            Assert.Null(ModelCheck.ConvolutionProblem("small-cnn", NarrowSmallCnn));
            Assert.True(ModelGradientCheck.GradientError(model, model64, NarrowSmallCnn) < 1e-5);
        }
        finally
        {
            ConvolutionGuard.Restore(before);
        }
    }

    [Fact]
    public void Every_model_built_by_the_zoo_runs_under_the_process_decision()
    {
        var decision = ConvolutionGuard.Configure();
        using var model = ModelZoo.Create("small-cnn", new ModelSpec(1, 8, 8, 4, [4], true, null));
        Assert.Equal(decision.OneDnn, ConvolutionGuard.MkldnnEnabled());
    }
}
