using CsCheck;
using SgdWalk.Landscape;

namespace SgdWalk.Tests.Landscape;

/// <summary>Segment reductions against closed forms: for a quadratic profile the parabola refinement is exact.</summary>
public class SegmentProfileTests
{
    private static readonly double[] Grid = Enumerable.Range(0, 11).Select(i => i / 10.0).ToArray();

    [Fact]
    public void A_quadratic_profile_gives_its_exact_floor_height_and_no_bump()
    {
        Gen.Select(Gen.Double[0.1, 100], Gen.Double[0.06, 0.94], Gen.Double[-5, 5]).Sample((a, c, b) =>
        {
            var losses = Grid.Select(x => a * (x - c) * (x - c) + b).ToArray();
            var p = SegmentProfile.Analyse(Grid, losses);
            double tol = 1e-9 * Math.Max(1, a);
            Assert.Equal(c, p.FloorAlpha, tol);
            Assert.Equal(b, p.FloorLoss, tol);
            Assert.Equal(a * c * c, p.Height, tol);
            Assert.Equal(a * (1 - c) * (1 - c), p.HeightEnd, tol);
            Assert.Equal(losses[0], p.LossStart);
            Assert.Equal(losses[^1], p.LossEnd);
            Assert.Equal(0, p.Nonconvexity, 1e-9);
            Assert.Equal(0, p.Bump);
            Assert.True(p.RoughlyConvex());
            // Interior unless the floor sits within float noise of an end.
            if (a * Math.Min(c, 1 - c) * Math.Min(c, 1 - c) > 1e-3 * Math.Max(1, Math.Abs(b))) Assert.True(p.Interior);
        });
    }

    [Fact]
    public void A_monotone_profile_has_its_floor_at_the_end_and_is_not_interior()
    {
        var losses = Grid.Select(x => 2 - x).ToArray();
        var p = SegmentProfile.Analyse(Grid, losses);
        Assert.Equal(1.0, p.FloorAlpha);
        Assert.Equal(1.0, p.FloorLoss);
        Assert.Equal(1.0, p.Height);
        Assert.Equal(0.0, p.HeightEnd);
        Assert.False(p.Interior);
        Assert.Equal(0, p.Nonconvexity, 12);
    }

    [Fact]
    public void A_barrier_inside_the_step_shows_as_bump_and_nonconvexity()
    {
        // A bump of height 0.5 at α = 0.5 on a flat line at 1: f = 1 + 0.5·exp(−((α−0.5)/0.1)²).
        var losses = Grid.Select(x => 1 + 0.5 * Math.Exp(-Math.Pow((x - 0.5) / 0.1, 2))).ToArray();
        var p = SegmentProfile.Analyse(Grid, losses);
        Assert.Equal(0.5 * (1 - Math.Exp(-25)), p.Bump, 12);
        // Second difference at the peak: f(0.4) − 2f(0.5) + f(0.6) = 0.5·(2e^{-1} − 2); divided by the range.
        double expected = 0.5 * (2 - 2 * Math.Exp(-1)) / (losses.Max() - losses.Min());
        Assert.Equal(expected, p.Nonconvexity, 12);
        Assert.False(p.RoughlyConvex());
    }

    [Fact]
    public void An_extrapolating_grid_measures_the_bump_inside_the_step_only()
    {
        var grid = Enumerable.Range(0, 21).Select(i => Math.Round(-0.5 + i * 0.1, 12)).ToArray();
        var losses = grid.Select(x => (x - 0.3) * (x - 0.3)).ToArray();
        var p = SegmentProfile.Analyse(grid, losses);
        Assert.Equal(0.3, p.FloorAlpha, 12);
        Assert.Equal(0, p.Bump);
        Assert.Equal(0.09, p.Height, 12);
    }

    [Fact]
    public void The_authors_grid_without_alpha_one_leaves_end_quantities_unmeasured()
    {
        var grid = Grid.Take(10).ToArray();
        var p = SegmentProfile.Analyse(grid, grid.Select(x => (x - 0.5) * (x - 0.5)).ToArray());
        Assert.True(double.IsNaN(p.LossEnd));
        Assert.True(double.IsNaN(p.HeightEnd));
        Assert.True(double.IsNaN(p.Bump));
        Assert.False(p.Interior);
        Assert.Equal(0.5, p.FloorAlpha, 12);
    }

    [Fact]
    public void Non_uniform_grids_refine_the_floor_exactly_for_quadratics()
    {
        double[] grid = [0, 0.05, 0.2, 0.45, 0.5, 0.9, 1];
        var p = SegmentProfile.Analyse(grid, grid.Select(x => 3 * (x - 0.4) * (x - 0.4) + 1).ToArray());
        Assert.Equal(0.4, p.FloorAlpha, 12);
        Assert.Equal(1, p.FloorLoss, 12);
        Assert.Equal(0, p.Nonconvexity, 12);
    }

    [Fact]
    public void Bad_grids_are_refused()
    {
        Assert.Throws<ArgumentException>(() => SegmentProfile.Analyse([0, 1], [1, 2]));
        Assert.Throws<ArgumentException>(() => SegmentProfile.Analyse([0, 0.5, 0.5], [1, 2, 3]));
    }
}
