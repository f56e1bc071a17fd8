using SgdWalk.Data;

namespace SgdWalk.Tests.Data;

/// <summary>Writes small, fully predictable datasets in the official file layouts.</summary>
internal static class SmallSets
{
    public const int Height = 3;
    public const int Width = 4;

    /// <summary>Pixel value of pixel (y, x) of image i: known without reading the file back.</summary>
    public static byte Pixel(int image, int y, int x) => (byte)((image * 31 + y * 7 + x * 3) % 256);

    public static byte Label(int image) => (byte)(image * 7 % 10);

    public static byte[] Images(int count)
    {
        var data = new byte[count * Height * Width];
        for (var i = 0; i < count; i++)
            for (var y = 0; y < Height; y++)
                for (var x = 0; x < Width; x++)
                    data[(i * Height + y) * Width + x] = Pixel(i, y, x);
        return data;
    }

    public static byte[] Labels(int count) => [.. Enumerable.Range(0, count).Select(Label)];

    /// <summary>An MNIST-layout directory with <paramref name="train"/> + <paramref name="test"/> images of 3x4.
    /// Test image i uses the pattern of image 1000+i so that it differs from every training image.</summary>
    public static void WriteMnist(string directory, int train, int test, bool gzip)
    {
        var ext = gzip ? ".gz" : "";
        IdxReader.Write(Path.Combine(directory, "train-images-idx3-ubyte" + ext), Images(train), [train, Height, Width], gzip);
        IdxReader.Write(Path.Combine(directory, "train-labels-idx1-ubyte" + ext), Labels(train), [train], gzip);
        var testImages = Images(1000 + test)[(1000 * Height * Width)..];
        var testLabels = Labels(1000 + test)[1000..];
        IdxReader.Write(Path.Combine(directory, "t10k-images-idx3-ubyte" + ext), testImages, [test, Height, Width], gzip);
        IdxReader.Write(Path.Combine(directory, "t10k-labels-idx1-ubyte" + ext), testLabels, [test], gzip);
    }

    /// <summary>CIFAR pixel (channel, y, x) of record i of batch file b (b = 5 is the test batch).</summary>
    public static byte CifarPixel(int batch, int record, int channel, int y, int x) =>
        (byte)((batch * 53 + record * 11 + channel * 100 + y * 5 + x) % 256);

    public static byte CifarLabel(int batch, int record) => (byte)((batch + record * 3) % 10);

    /// <summary>data_batch_1..5.bin with <paramref name="perBatch"/> records each, and test_batch.bin.</summary>
    public static void WriteCifar(string directory, int perBatch, int test)
    {
        for (var b = 0; b < 6; b++)
        {
            var count = b < 5 ? perBatch : test;
            var pixels = new byte[count * 3072];
            var labels = new byte[count];
            for (var r = 0; r < count; r++)
            {
                labels[r] = CifarLabel(b, r);
                for (var c = 0; c < 3; c++)
                    for (var y = 0; y < 32; y++)
                        for (var x = 0; x < 32; x++)
                            pixels[r * 3072 + c * 1024 + y * 32 + x] = CifarPixel(b, r, c, y, x);
            }

            var name = b < 5 ? $"data_batch_{b + 1}.bin" : "test_batch.bin";
            Cifar10Reader.WriteBatch(Path.Combine(directory, name), pixels, labels);
        }
    }
}
