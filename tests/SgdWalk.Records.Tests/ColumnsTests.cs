namespace SgdWalk.Records.Tests;

public class ColumnsTests
{
    [Theory]
    [InlineData("probe_interior", "probe")]
    [InlineData("batch_interior", "batch")]
    [InlineData("probe_interior_x", null)]
    [InlineData("interior", null)]
    public void A_profile_column_names_its_view(string column, string? view) =>
        Assert.Equal(view, Columns.ViewOf(column, Columns.Interior));

    [Theory]
    [InlineData("floor_barrier_k1", 1)]
    [InlineData("floor_barrier_k10", 10)]
    [InlineData("floor_barrier_k1_alpha", 0)]
    [InlineData("floor_barrier_k-1", 0)]
    [InlineData("probe_bump", 0)]
    public void Only_floor_barrier_columns_have_a_lag(string column, int lag) =>
        Assert.Equal(lag, Columns.LagOf(column));

    [Fact]
    public void Floor_barrier_names_and_lags_round_trip() =>
        Assert.All(new[] { 1, 3, 25 }, k => Assert.Equal(k, Columns.LagOf(Columns.FloorBarrier(k))));
}
