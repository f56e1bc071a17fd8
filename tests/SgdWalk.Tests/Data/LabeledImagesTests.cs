using SgdWalk.Data;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Data;

public class LabeledImagesTests
{
    private static LabeledImages Make(int n = 6) =>
        new(arange(n * 2 * 2, ScalarType.Float32).view(n, 1, 2, 2), arange(n, ScalarType.Int64).remainder(3), 3);

    [Fact]
    public void Properties_describe_the_tensors()
    {
        using var set = Make();
        Assert.Equal((6, 1, 2, 2, 3), (set.Count, set.Channels, set.Height, set.Width, set.Classes));
    }

    [Fact]
    public void Take_copies_a_contiguous_range()
    {
        using var set = Make();
        using var part = set.Take(2, 3);
        using var scope = NewDisposeScope();

        Assert.Equal(3, part.Count);
        Assert.True(part.Inputs().is_contiguous());
        Assert.True(TensorAssert.Same(part.Inputs(), set.Inputs().narrow(0, 2, 3)));
        Assert.Equal(new long[] { 2, 0, 1 }, part.Labels.data<long>().ToArray());
        part.Inputs().add_(100); // a copy: the source must not change
        Assert.Equal(8f, set.Inputs()[2, 0, 0, 0].item<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Take(5, 2));
    }

    [Fact]
    public void Select_copies_the_given_rows_in_order()
    {
        using var set = Make();
        using var picked = set.Select([5, 0, 5]);

        Assert.Equal(new long[] { 2, 0, 2 }, picked.Labels.data<long>().ToArray());
        using var scope = NewDisposeScope();
        Assert.Equal(20f, picked.Inputs()[0, 0, 0, 0].item<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Select([6]));
    }

    [Fact]
    public void Survives_the_dispose_scope_it_was_built_in()
    {
        LabeledImages set;
        using (NewDisposeScope())
            set = Make();

        using (set)
            Assert.Equal(6, set.Count);
    }

    [Fact]
    public void Rejects_inconsistent_tensors()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => new LabeledImages(zeros(4, 1, 2, 2), zeros(3, ScalarType.Int64), 2));
        Assert.Throws<ArgumentException>(() => new LabeledImages(zeros(4, 2, 2), zeros(4, ScalarType.Int64), 2));
        Assert.Throws<ArgumentException>(() => new LabeledImages(zeros(4, 1, 2, 2), full(4, 2L, ScalarType.Int64), 2));
    }
}
