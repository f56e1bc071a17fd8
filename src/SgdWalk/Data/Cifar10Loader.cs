using static TorchSharp.torch;

namespace SgdWalk.Data;

/// <summary>Loads the CIFAR-10 binary version: data_batch_1..5.bin (training) and test_batch.bin.</summary>
internal static class Cifar10Loader
{
    public const string BatchesFolder = "cifar-10-batches-bin";

    // The usual CIFAR-10 statistics of the authors' code (per channel, after scaling to 0..1).
    public static readonly double[] Mean = [0.4914, 0.4822, 0.4465];
    public static readonly double[] Std = [0.2023, 0.1994, 0.2010];

    private static readonly string[] TrainFiles = [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")];
    private const string TestFile = "test_batch.bin";

    /// <summary>True when <paramref name="directory"/> holds the batch files itself.</summary>
    public static bool HoldsBatches(string directory) => File.Exists(Path.Combine(directory, TrainFiles[0]));

    public static DataBundle Load(string directory, DataOptions options)
    {
        var paths = TrainFiles.Append(TestFile).Select(f => Path.Combine(directory, f)).ToArray();
        foreach (var path in paths)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"{directory}: {Path.GetFileName(path)} not found (a CIFAR-10 directory needs data_batch_1.bin .. data_batch_5.bin " +
                    "and test_batch.bin, the binary version; point --data-dir or SGDWALK_DATA at it)",
                    path);
            }
        }

        var batches = paths.Take(TrainFiles.Length).Select(Cifar10Reader.ReadBatch).ToArray();
        var trainPixels = Concat(batches.Select(b => b.Pixels).ToArray());
        var trainLabels = Concat(batches.Select(b => b.Labels).ToArray());
        var (testPixels, testLabels) = Cifar10Reader.ReadBatch(paths[^1]);

        var split = Split.Resolve("cifar10", trainLabels.Length, options);
        using var scope = NewDisposeScope();
        // Kept as uint8 (a quarter of float32): each batch and view is scaled when it is taken (PixelScale); the splits are
        // views of one tensor, sharing its storage.
        var scale = PixelScale.Normalised(Mean, Std);
        var train = tensor(trainPixels, [trainLabels.Length, 3, 32, 32], ScalarType.Byte);
        var test = tensor(testPixels, [testLabels.Length, 3, 32, 32], ScalarType.Byte);
        return new DataBundle(
            "cifar10",
            directory,
            new LabeledImages(train.narrow(0, 0, split.Train), ImageTensors.Labels(trainLabels, 0, split.Train), 10, scale),
            new LabeledImages(train.narrow(0, split.ValidationStart, split.Validation),
                ImageTensors.Labels(trainLabels, split.ValidationStart, split.Validation), 10, scale),
            new LabeledImages(test.narrow(0, 0, testLabels.Length), ImageTensors.Labels(testLabels, 0, testLabels.Length), 10, scale),
            augmentByDefault: true,
            Mean,
            Std);
    }

    private static byte[] Concat(byte[][] parts)
    {
        var all = new byte[parts.Sum(p => (long)p.Length)];
        long offset = 0;
        foreach (var part in parts)
        {
            Array.Copy(part, 0, all, offset, part.Length);
            offset += part.Length;
        }

        return all;
    }
}
