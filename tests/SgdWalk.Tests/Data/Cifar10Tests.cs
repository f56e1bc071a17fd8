using SgdWalk.Data;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Data;

public class Cifar10Tests
{
    private static readonly double[] Mean = [0.4914, 0.4822, 0.4465];
    private static readonly double[] Std = [0.2023, 0.1994, 0.2010];

    [Fact]
    public void Batch_round_trip_keeps_labels_and_planes()
    {
        using var dir = new TempDirectory();
        var path = dir.File("data_batch_1.bin");
        var pixels = Enumerable.Range(0, 2 * 3072).Select(i => (byte)(i * 13)).ToArray();
        Cifar10Reader.WriteBatch(path, pixels, [3, 9]);

        var (readPixels, labels) = Cifar10Reader.ReadBatch(path);

        Assert.Equal(pixels, readPixels);
        Assert.Equal(new byte[] { 3, 9 }, labels);
        Assert.Equal(2 * 3073, new FileInfo(path).Length);
    }

    [Fact]
    public void Truncated_record_names_the_file_and_the_byte_count()
    {
        using var dir = new TempDirectory();
        var path = dir.File("data_batch_3.bin");
        Cifar10Reader.WriteBatch(path, new byte[2 * 3072], [1, 2]);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^1]);

        var e = Assert.Throws<DataFormatException>(() => Cifar10Reader.ReadBatch(path));

        Assert.StartsWith($"{path}: truncated: 6145 bytes is not a whole number of 3073-byte records", e.Message);
    }

    [Fact]
    public void Label_out_of_range_is_rejected()
    {
        using var dir = new TempDirectory();
        var path = dir.File("test_batch.bin");
        Cifar10Reader.WriteBatch(path, new byte[2 * 3072], [1, 2]);
        var bytes = File.ReadAllBytes(path);
        bytes[3073] = 10;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<DataFormatException>(() => Cifar10Reader.ReadBatch(path));

        Assert.Equal($"{path}: label 10 at record 1 is outside 0..9", e.Message);
    }

    [Fact]
    public void Load_concatenates_batches_splits_and_normalises_per_channel()
    {
        using var root = new TempDirectory();
        // The directory the tarball unpacks into is accepted as well as the batches folder itself.
        var batches = Directory.CreateDirectory(Path.Combine(root.Path, "cifar-10-batches-bin")).FullName;
        SmallSets.WriteCifar(batches, perBatch: 4, test: 3);

        using var data = DatasetCatalog.Load(new DataOptions("cifar10", root.Path, ValidationSize: 6));

        Assert.Equal(batches, data.Directory);
        Assert.True(data.AugmentByDefault);
        Assert.Equal(Mean, data.Mean);
        Assert.Equal(Std, data.Std);
        Assert.Equal([14L, 3, 32, 32], data.Train.Inputs().shape);
        Assert.Equal([6L, 3, 32, 32], data.Validation.Inputs().shape);
        Assert.Equal([3L, 3, 32, 32], data.Test.Inputs().shape);

        // Row 13 of training = record 1 of data_batch_4; validation starts at record 2 of data_batch_4.
        AssertPixel(data.Train, 13, batch: 3, record: 1, channel: 0, y: 5, x: 7);
        AssertPixel(data.Train, 0, batch: 0, record: 0, channel: 2, y: 31, x: 0);
        AssertPixel(data.Validation, 0, batch: 3, record: 2, channel: 1, y: 0, x: 31);
        AssertPixel(data.Validation, 5, batch: 4, record: 3, channel: 2, y: 9, x: 9);
        AssertPixel(data.Test, 2, batch: 5, record: 2, channel: 0, y: 16, x: 3);
    }

    [Fact]
    public void Red_plane_comes_first()
    {
        using var dir = new TempDirectory();
        var pixels = new byte[3072];
        pixels[0 * 1024 + 2 * 32 + 3] = 255; // red at (2, 3)
        pixels[1 * 1024 + 2 * 32 + 3] = 0;   // green
        pixels[2 * 1024 + 2 * 32 + 3] = 51;  // blue
        for (var b = 1; b <= 5; b++)
            Cifar10Reader.WriteBatch(dir.File($"data_batch_{b}.bin"), pixels, [7]);
        Cifar10Reader.WriteBatch(dir.File("test_batch.bin"), pixels, [7]);

        using var data = DatasetCatalog.Load(new DataOptions("cifar10", dir.Path, ValidationSize: 1));
        using var scope = NewDisposeScope();

        Assert.Equal((1 - Mean[0]) / Std[0], data.Test.Inputs()[0, 0, 2, 3].item<float>(), 1e-5);
        Assert.Equal((0 - Mean[1]) / Std[1], data.Test.Inputs()[0, 1, 2, 3].item<float>(), 1e-5);
        Assert.Equal((0.2 - Mean[2]) / Std[2], data.Test.Inputs()[0, 2, 2, 3].item<float>(), 1e-5);
        Assert.Equal(7L, data.Test.Labels[0].item<long>());
    }

    [Fact]
    public void Missing_batch_is_a_FileNotFoundException_naming_it()
    {
        using var dir = new TempDirectory();
        SmallSets.WriteCifar(dir.Path, perBatch: 2, test: 1);
        File.Delete(dir.File("data_batch_5.bin"));

        var e = Assert.Throws<FileNotFoundException>(() => DatasetCatalog.Load(new DataOptions("cifar10", dir.Path, ValidationSize: 2)));

        Assert.Contains("data_batch_5.bin", e.Message);
    }

    private static void AssertPixel(LabeledImages set, int row, int batch, int record, int channel, int y, int x)
    {
        using var scope = NewDisposeScope();
        var expected = (SmallSets.CifarPixel(batch, record, channel, y, x) / 255.0 - Mean[channel]) / Std[channel];
        Assert.Equal(expected, set.Inputs()[row, channel, y, x].item<float>(), 1e-5);
        Assert.Equal(SmallSets.CifarLabel(batch, record), set.Labels[row].item<long>());
    }
}
