using SgdWalk.Data;
using SgdWalk.TestSupport;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Data;

/// <summary>
/// Data that is uint8 on disk stays uint8 in memory, and every batch of inputs taken from it is, bit for bit, the
/// batch the old loader gave: the whole split converted to float32 at load time ((pixel/255 − mean) / std), then indexed.
/// </summary>
public class PixelStorageTests
{
    /// <summary>The old loader's conversion (ImageTensors.Normalise before pixels were kept as bytes), on a whole split.</summary>
    private static Tensor OldWholeSplit(Tensor pixels, long start, long count, IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        long channels = pixels.shape[1];
        var x = pixels.narrow(0, start, count).to_type(ScalarType.Float32).div_(255.0);
        var m = tensor(mean.Select(v => (float)v).ToArray(), ScalarType.Float32).view(1, channels, 1, 1);
        var s = tensor(std.Select(v => (float)v).ToArray(), ScalarType.Float32).view(1, channels, 1, 1);
        return x.sub_(m).div_(s);
    }

    /// <summary>Bit for bit, including the sign of zeros (eq() would call −0 and +0 equal).</summary>
    private static void AssertBitwise(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(ScalarType.Float32, actual.dtype);
        Assert.True(expected.contiguous().bytes.SequenceEqual(actual.contiguous().bytes), "inputs differ from the old loader's bit for bit");
    }

    /// <summary>Index sets of several lengths, so vectorised loops and their scalar tails both run.</summary>
    private static IEnumerable<long[]> Batches(int count, int seed)
    {
        var random = new Random(seed);
        foreach (int size in new[] { 1, 3, 7, 16, 17, Math.Min(100, count) })
            yield return Enumerable.Range(0, size).Select(_ => (long)random.Next(count)).ToArray();
    }

    private static void AssertBatchesMatch(LabeledImages set, Tensor oldWhole, int seed)
    {
        Assert.Equal(ScalarType.Byte, set.StoredType);
        AssertBitwise(oldWhole, set.Inputs());
        foreach (var rows in Batches(set.Count, seed))
        {
            using var index = tensor(rows);
            AssertBitwise(oldWhole.index_select(0, index), set.Inputs(index));
        }
        AssertBitwise(oldWhole.narrow(0, 1, set.Count - 1), set.Inputs(1, set.Count - 1));
        // Copies made from the split keep the bytes and the scale.
        using var picked = set.Select([2, 0, 2]);
        Assert.Equal(ScalarType.Byte, picked.StoredType);
        using var pickedIndex = tensor(new long[] { 2, 0, 2 });
        AssertBitwise(oldWhole.index_select(0, pickedIndex), picked.Inputs());
    }

    [Fact]
    public void Mnist_layout_pixels_are_kept_as_bytes_and_every_batch_is_the_old_float_batch()
    {
        using var dir = new TempDirectory();
        SmallSets.WriteMnist(dir.Path, 20, 6, gzip: true);
        using var data = DatasetCatalog.Load(new DataOptions("fashion-mnist", dir.Path, ValidationSize: 4));
        using var scope = NewDisposeScope();
        var train = tensor(SmallSets.Images(20), [20, 1, SmallSets.Height, SmallSets.Width], ScalarType.Byte);

        AssertBatchesMatch(data.Train, OldWholeSplit(train, 0, 16, data.Mean, data.Std), seed: 1);
        AssertBatchesMatch(data.Validation, OldWholeSplit(train, 16, 4, data.Mean, data.Std), seed: 2);
        Assert.Equal(ScalarType.Byte, data.Test.StoredType);
    }

    [Fact]
    public void Cifar_pixels_are_kept_as_bytes_and_every_batch_is_the_old_float_batch_per_channel()
    {
        using var root = new TempDirectory();
        SmallSets.WriteCifar(root.Path, perBatch: 4, test: 3);
        using var data = DatasetCatalog.Load(new DataOptions("cifar10", root.Path, ValidationSize: 6));
        using var scope = NewDisposeScope();
        // The old loader's whole training split, rebuilt from the known pixels (batch b, record r = row 4b + r).
        var pixels = new byte[20 * 3 * 32 * 32];
        for (int b = 0; b < 5; b++)
            for (int r = 0; r < 4; r++)
                for (int c = 0; c < 3; c++)
                    for (int y = 0; y < 32; y++)
                        for (int x = 0; x < 32; x++)
                            pixels[((((b * 4 + r) * 3 + c) * 32) + y) * 32 + x] = SmallSets.CifarPixel(b, r, c, y, x);
        var train = tensor(pixels, [20, 3, 32, 32], ScalarType.Byte);

        AssertBatchesMatch(data.Train, OldWholeSplit(train, 0, 14, data.Mean, data.Std), seed: 3);
        AssertBatchesMatch(data.Validation, OldWholeSplit(train, 14, 6, data.Mean, data.Std), seed: 4);
    }

    [Fact]
    public void Fashion_mnist_is_held_as_bytes_and_its_batches_are_the_old_float_batches()
    {
        TestDependencies.Require("data");
        const string folder = "/usr/share/datasets/fashion-mnist";
        using var data = DatasetCatalog.Load(new DataOptions("fashion-mnist", folder));
        using var scope = NewDisposeScope();
        var (bytes, dims) = IdxReader.Read(Path.Combine(folder, "train-images-idx3-ubyte.gz"), expectedDimensions: 3, kind: "image");
        var train = tensor(bytes, [dims[0], 1, dims[1], dims[2]], ScalarType.Byte);

        AssertBatchesMatch(data.Train, OldWholeSplit(train, 0, data.Train.Count, data.Mean, data.Std), seed: 5);
        AssertBatchesMatch(data.Validation, OldWholeSplit(train, data.Train.Count, data.Validation.Count, data.Mean, data.Std), seed: 6);
    }
}
