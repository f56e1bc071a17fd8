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

    [Theory]
    [InlineData("align_k10_b25", 10, 25)]
    [InlineData("align_k3_b400", 3, 400)]
    [InlineData("align_k10_b25_se", 0, 0)]
    [InlineData("align_k10_converged", 0, 0)]
    [InlineData("floor_step_alpha", 0, 0)]
    public void Only_alignment_mean_columns_name_their_k_and_batch_size(string column, int k, int batch) =>
        Assert.Equal(k == 0 ? null : (k, batch), Columns.AlignmentOf(column));

    [Fact]
    public void Alignment_names_round_trip()
    {
        Assert.Equal("align_k10_b25", Columns.Alignment(10, 25));
        Assert.Equal("align_k10_b25_se", Columns.AlignmentStandardError(10, 25));
        Assert.Equal((7, 100), Columns.AlignmentOf(Columns.Alignment(7, 100)));
    }
}
