using SgdWalk.Data;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Data;

public class SyntheticDataTests
{
    [Fact]
    public void Same_seed_gives_identical_tensors()
    {
        using var a = SyntheticData.Create(42);
        using var b = SyntheticData.Create(42);

        foreach (var (x, y) in Pairs(a, b))
            Assert.True(TensorAssert.Same(x, y));
    }

    [Fact]
    public void Different_seeds_give_different_data()
    {
        using var a = SyntheticData.Create(42);
        using var b = SyntheticData.Create(43);

        Assert.False(TensorAssert.Same(a.Train.Inputs(), b.Train.Inputs()));
        Assert.False(TensorAssert.Same(a.Test.Inputs(), b.Test.Inputs()));
    }

    [Fact]
    public void Shapes_and_labels_are_as_asked()
    {
        using var data = SyntheticData.Create(7, trainCount: 30, validationCount: 10, testCount: 20, classes: 3, channels: 2, height: 5, width: 6);

        Assert.Equal([30L, 2, 5, 6], data.Train.Inputs().shape);
        Assert.Equal([10L, 2, 5, 6], data.Validation.Inputs().shape);
        Assert.Equal([20L, 2, 5, 6], data.Test.Inputs().shape);
        Assert.Equal([30L], data.Train.Labels.shape);
        Assert.Equal(ScalarType.Float32, data.Train.Inputs().dtype);
        Assert.Equal(ScalarType.Int64, data.Train.Labels.dtype);
        Assert.Equal(3, data.Train.Classes);
        Assert.Equal("(generated)", data.Directory);
        Assert.Equal([0.0, 0.0], data.Mean);
        Assert.Equal([1.0, 1.0], data.Std);
        using var scope = NewDisposeScope();
        Assert.InRange(data.Train.Labels.min().item<long>(), 0, 2);
        Assert.InRange(data.Train.Labels.max().item<long>(), 0, 2);
    }

    [Fact]
    public void Classes_are_separable_but_overlap()
    {
        // Nearest class mean (estimated on training data) should be far better than chance, yet not perfect.
        using var data = SyntheticData.Create(5, trainCount: 4000, testCount: 2000);
        using var scope = NewDisposeScope();
        var x = data.Train.Inputs().flatten(1);
        var onehot = nn.functional.one_hot(data.Train.Labels, 4).to_type(ScalarType.Float32);
        var means = onehot.t().matmul(x).div(onehot.sum(new long[] { 0 }).unsqueeze(1));
        var distances = cdist(data.Test.Inputs().flatten(1), means);
        var accuracy = distances.argmin(1).eq(data.Test.Labels).to_type(ScalarType.Float32).mean().item<float>();

        Assert.InRange(accuracy, 0.75, 0.995);
    }

    [Fact]
    public void Catalog_maps_sizes_and_seed_onto_the_synthetic_set()
    {
        using var data = DatasetCatalog.Load(new DataOptions("synthetic", ValidationSize: 50, TrainSize: 100, Seed: 3));
        using var same = SyntheticData.Create(3, trainCount: 100, validationCount: 50);

        Assert.Equal(100, data.Train.Count);
        Assert.Equal(50, data.Validation.Count);
        Assert.True(TensorAssert.Same(data.Test.Inputs(), same.Test.Inputs()));
        Assert.True(TensorAssert.Same(data.Validation.Labels, same.Validation.Labels));
    }

    private static IEnumerable<(Tensor, Tensor)> Pairs(DataBundle a, DataBundle b)
    {
        yield return (a.Train.Inputs(), b.Train.Inputs());
        yield return (a.Train.Labels, b.Train.Labels);
        yield return (a.Validation.Inputs(), b.Validation.Inputs());
        yield return (a.Validation.Labels, b.Validation.Labels);
        yield return (a.Test.Inputs(), b.Test.Inputs());
        yield return (a.Test.Labels, b.Test.Labels);
    }
}
