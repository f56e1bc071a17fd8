using System.Buffers.Binary;
using System.IO.Compression;

namespace SgdWalk.Data;

/// <summary>
/// What a dataset holds, known before it is loaded: image shape, classes and how many training images the file
/// offers. Run checks use it so that a size that does not fit the data is refused before anything is written.
/// </summary>
/// <param name="Available">Images in the official training file (validation is taken from its end).</param>
/// <param name="OwnValidation">The validation images a file brings itself (`npz:` with val_images); null = taken from the end of the training file.</param>
public sealed record DataShape(string Dataset, int Channels, int Height, int Width, int Classes, int Available, int Test, int? OwnValidation = null)
{
    public long Pixels => (long)Channels * Height * Width;

    /// <summary>
    /// The shape of <paramref name="options"/>' dataset from the files' headers (IDX) or sizes (CIFAR-10), without
    /// reading the images; null when the headers cannot be read (the loader then names the file and the problem).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown dataset.</exception>
    /// <exception cref="DirectoryNotFoundException">No data directory (<see cref="DatasetCatalog.ResolveDirectory(string, string?)"/>).</exception>
    /// <exception cref="DataFormatException">An `npz:` file with any problem: it is checked whole here, so a bad file is refused before
    /// anything is written.</exception>
    public static DataShape? Describe(DataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (NpzDataset.IsNpz(options.Dataset, out string file))
        {
            var npz = NpzDataset.Read(file, loadImages: false);
            var t = npz.Train;
            return new DataShape(options.Dataset, t.Channels, t.Height, t.Width, npz.Classes, t.Count, npz.Test?.Count ?? 0, npz.Validation?.Count);
        }
        string name = options.Dataset.Trim().ToLowerInvariant();
        // Synthetic: its sizes are the options themselves (TrainSize is the generated set's size, not a cap).
        if (name == "synthetic")
            return new DataShape(name, 1, 8, 8, 4,
                (options.TrainSize ?? SyntheticData.DefaultTrainCount) + (options.ValidationSize ?? SyntheticData.DefaultValidationCount), 500);
        if (name == "valley")
            return new DataShape(name, 1, 1, 2, 2,
                (options.TrainSize ?? ValleyData.DefaultTrainCount) + (options.ValidationSize ?? ValleyData.DefaultValidationCount), ValleyData.TestCount);
        string directory = DatasetCatalog.ResolveDirectory(name, options.DataDir);
        try
        {
            if (name == "cifar10")
            {
                // 3073-byte records (1 label + 3×32×32 pixels) in five training batches and one test batch.
                long train = Enumerable.Range(1, 5).Sum(i => new FileInfo(Path.Combine(directory, $"data_batch_{i}.bin")).Length) / 3073;
                long test = new FileInfo(Path.Combine(directory, "test_batch.bin")).Length / 3073;
                return new DataShape(name, 3, 32, 32, 10, (int)train, (int)test);
            }
            var trainDims = IdxDimensions(Path.Combine(directory, "train-images-idx3-ubyte"));
            var testDims = IdxDimensions(Path.Combine(directory, "t10k-images-idx3-ubyte"));
            return trainDims is [int n, int h, int w] && testDims is [int t, _, _] ? new DataShape(name, 1, h, w, 10, n, t) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>
    /// How the training file splits under <paramref name="options"/>: (training images, validation images), or the
    /// problem in words naming --train-size / --val-size.
    /// </summary>
    public (int Train, int Validation, string? Problem) Split(DataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Dataset == "synthetic")
            return (options.TrainSize ?? SyntheticData.DefaultTrainCount, options.ValidationSize ?? SyntheticData.DefaultValidationCount, null);
        if (Dataset == "valley")
            return (options.TrainSize ?? ValleyData.DefaultTrainCount, options.ValidationSize ?? ValleyData.DefaultValidationCount, null);
        if (OwnValidation is int own)
        {
            if (options.ValidationSize is not null)
                return (0, own, $"--val-size: {Dataset} brings its own validation split (val_images); leave --val-size out");
            int wanted = options.TrainSize ?? Available;
            return wanted > Available
                ? (wanted, own, $"--train-size {wanted} is more than the {Available} training images of {Dataset}")
                : (wanted, own, null);
        }
        int validation = options.ValidationSize
            ?? (NpzDataset.IsNpz(Dataset, out _) ? NpzDataset.DefaultValidationSize(Available) : Data.Split.DefaultValidationSize);
        if (validation >= Available)
            return (0, validation, $"--val-size {validation} must be smaller than the {Available} images of the {Dataset} training file");
        int remaining = Available - validation;
        int train = options.TrainSize ?? remaining;
        if (train > remaining)
            return (train, validation, $"--train-size {train} is more than the {remaining} training images of {Dataset} ({Available} in the file " +
                $"minus {validation} for --val-size)");
        return (train, validation, null);
    }

    /// <summary>The dimensions in an IDX header (gzipped or raw), or null when the file has none.</summary>
    private static int[]? IdxDimensions(string basePath)
    {
        string path = File.Exists(basePath + ".gz") ? basePath + ".gz" : basePath;
        if (!File.Exists(path)) return null;
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        bool gzip = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        using var stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        var head = new byte[16];
        int got = 0;
        while (got < head.Length && stream.Read(head, got, head.Length - got) is int n and > 0) got += n;
        if (got < head.Length || head[0] != 0 || head[1] != 0 || head[3] != 3) return null;
        var dims = new int[3];
        for (int i = 0; i < 3; i++) dims[i] = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4 + 4 * i));
        return dims.All(d => d > 0) ? dims : null;
    }
}
