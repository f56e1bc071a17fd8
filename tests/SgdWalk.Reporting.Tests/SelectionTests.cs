using SgdWalk.Reporting.Figures;

namespace SgdWalk.Reporting.Tests;

public class SelectionTests
{
    [Fact]
    public void Default_walk_window_is_the_first_run_of_consecutive_steps_long_enough()
    {
        int[] recorded = [0, 1, 2, 10, 11, 12, 13, 14, 30];
        Assert.Equal([10, 11, 12, 13], WalkWindow.Select(recorded, null, 4));
        // No run is long enough: the longest one.
        Assert.Equal([10, 11, 12, 13, 14], WalkWindow.Select(recorded, null, 50));
        Assert.Equal([0, 1, 2], WalkWindow.Select(recorded, null, 3));
    }

    [Fact]
    public void Explicit_walk_window_takes_the_next_recorded_steps()
    {
        Assert.Equal([12, 13, 14], WalkWindow.Select([0, 1, 2, 10, 11, 12, 13, 14, 30], 12, 3));
        Assert.Equal([30], WalkWindow.Select([0, 1, 2, 30], 15, 3));
        Assert.Empty(WalkWindow.Select([0, 1, 2], 15, 3));
    }

    [Fact]
    public void Profile_epochs_default_to_first_middle_last_and_honour_a_request()
    {
        Assert.Equal([1, 3, 5], ProfilesFigure.Epochs([1, 2, 3, 4, 5], null));
        Assert.Equal([1], ProfilesFigure.Epochs([1], null));
        Assert.Equal([2, 4], ProfilesFigure.Epochs([1, 2, 3, 4, 5], [4, 2, 9]));
        Assert.Equal([0, 5, 9], ProfilesFigure.Spread([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3));
    }
}
