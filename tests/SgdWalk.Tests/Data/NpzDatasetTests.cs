using SgdWalk.Checkpoints;
using SgdWalk.Data;
using SgdWalk.Formats;
using SgdWalk.TestSupport;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Data;

/// <summary>An .npz written by numpy is read as numpy means it: the pixels numpy computes, its splits, its classes.</summary>
public class NpzDatasetTests
{
    private const string Writer = """
        import numpy as np
        rng = np.random.default_rng(5)
        x = rng.integers(0, 256, (30, 3, 4, 5), dtype=np.uint8); y = rng.integers(0, 3, 30)
        vx = rng.standard_normal((7, 4, 5)).astype(np.float32); vy = np.arange(7) % 3
        # uint8 (N,C,H,W), compressed: inputs are x / 255 in float32, as numpy computes them.
        np.savez_compressed("u8.npz", images=x, labels=y.astype(np.uint8), test_images=x[:6], test_labels=y[:6], classes=np.array(5))
        np.save("u8_expected.npy", x.astype(np.float32) / np.float32(255))
        # float32 (N,H,W) with its own validation split: taken as given, one channel.
        np.savez("f32.npz", images=vx, labels=vy, val_images=vx[:2], val_labels=vy[:2] + 1)
        """;

    [Fact]
    public void Uint8_pixels_are_numpys_x_over_255_and_classes_come_from_the_file()
    {
        TestDependencies.Require("pytorch");
        using var dir = new TempDirectory();
        Python.Run(Writer, dir.Path);
        using var data = NpzDataset.Load(Path.Combine(dir.Path, "u8.npz"), new DataOptions("npz:u8.npz", ValidationSize: 4));
        using var expected = ReadNpy(Path.Combine(dir.Path, "u8_expected.npy"));
        // Training = the first 26, validation = the last 4 of the training images; the file's test split.
        Assert.Equal(26, data.Train.Count);
        Assert.Equal(4, data.Validation.Count);
        Assert.Equal(6, data.Test.Count);
        Assert.Equal(5, data.Train.Classes); // from 'classes', above the largest label
        Assert.True(TensorAssert.Same(data.Train.Inputs(), expected.narrow(0, 0, 26)));
        Assert.True(TensorAssert.Same(data.Validation.Inputs(), expected.narrow(0, 26, 4)));
        Assert.True(TensorAssert.Same(data.Test.Inputs(), expected.narrow(0, 0, 6)));
        Assert.Equal("uint8 / 255", data.Normalisation);
        Assert.Equal(ScalarType.Byte, data.Train.StoredType); // kept as bytes, scaled per batch
        Assert.Equal(64, data.Sha256!.Length);
    }

    [Fact]
    public void Float32_images_are_taken_as_given_with_the_files_own_validation_split()
    {
        TestDependencies.Require("pytorch");
        using var dir = new TempDirectory();
        Python.Run(Writer + "\nnp.save('f32_expected.npy', vx)\n", dir.Path);
        using var data = NpzDataset.Load(Path.Combine(dir.Path, "f32.npz"), new DataOptions("npz:f32.npz"));
        using var expected = ReadNpy(Path.Combine(dir.Path, "f32_expected.npy"));
        Assert.Equal([7L, 1, 4, 5], data.Train.Inputs().shape);
        Assert.True(TensorAssert.Same(data.Train.Inputs(), expected.unsqueeze(1)));
        Assert.Equal(2, data.Validation.Count);
        Assert.Equal(0, data.Test.Count);
        Assert.Equal(3, data.Train.Classes); // the largest label anywhere (val_labels reach 2... +1 = 3)
        Assert.Equal("float32 as given", data.Normalisation);
        Assert.Equal(ScalarType.Float32, data.Train.StoredType);
    }

    [Fact]
    public void The_data_fingerprint_changes_when_one_pixel_of_the_file_changes()
    {
        TestDependencies.Require("pytorch");
        using var dir = new TempDirectory();
        // 600 training images: the fingerprint samples 256 of them (rows 0, 2, 4, ...); image 1 is not among them, so
        // only the file's SHA-256 can notice that one of its pixels changed.
        Python.Run("""
            import numpy as np
            x = np.zeros((600, 1, 2, 2), dtype=np.uint8); y = np.arange(600) % 2
            np.savez("a.npz", images=x, labels=y)
            x[1, 0, 1, 1] = 9
            np.savez("b.npz", images=x, labels=y)
            """, dir.Path);
        using var a = NpzDataset.Load(Path.Combine(dir.Path, "a.npz"), new DataOptions("npz:a.npz", ValidationSize: 0));
        using var b = NpzDataset.Load(Path.Combine(dir.Path, "b.npz"), new DataOptions("npz:b.npz", ValidationSize: 0));
        Assert.NotEqual(DataHash.Of(a), DataHash.Of(b));
    }

    /// <summary>A float32 .npy by the same header reader the loader uses (numpy wrote it).</summary>
    private static Tensor ReadNpy(string path)
    {
        using var file = File.OpenRead(path);
        var header = Npy.ReadHeader(file);
        Assert.Equal("<f4", header.Descr);
        var bytes = new byte[header.Count * 4];
        Assert.True(Npy.ReadFully(file, bytes));
        var t = empty(header.Shape, ScalarType.Float32);
        t.bytes = bytes;
        return t;
    }
}
