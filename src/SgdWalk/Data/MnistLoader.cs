using static TorchSharp.torch;

namespace SgdWalk.Data;

/// <summary>Loads MNIST-layout directories (MNIST, Fashion-MNIST): four IDX files, raw or gzipped.</summary>
internal static class MnistLoader
{
    // Authors' MNIST convention: scale to 0..1, then subtract 0.5 (std 1).
    public static readonly double[] Mean = [0.5];
    public static readonly double[] Std = [1.0];

    public static DataBundle Load(string name, string directory, DataOptions options)
    {
        var trainImagesPath = Find(directory, "train-images-idx3-ubyte");
        var trainLabelsPath = Find(directory, "train-labels-idx1-ubyte");
        var testImagesPath = Find(directory, "t10k-images-idx3-ubyte");
        var testLabelsPath = Find(directory, "t10k-labels-idx1-ubyte");

        var (trainPixels, trainDims) = ReadImages(trainImagesPath);
        var trainLabels = ReadLabels(trainLabelsPath, trainImagesPath, trainDims[0]);
        var (testPixels, testDims) = ReadImages(testImagesPath);
        var testLabels = ReadLabels(testLabelsPath, testImagesPath, testDims[0]);
        if (testDims[1] != trainDims[1] || testDims[2] != trainDims[2])
        {
            throw new DataFormatException(
                testImagesPath,
                $"images are {testDims[1]}x{testDims[2]} but those of {Path.GetFileName(trainImagesPath)} are {trainDims[1]}x{trainDims[2]}");
        }

        var split = Split.Resolve(name, trainDims[0], options);
        using var scope = NewDisposeScope();
        // Kept as uint8 (a quarter of float32): each batch and view is scaled when it is taken (PixelScale); the splits are
        // views of one tensor, sharing its storage.
        var scale = PixelScale.Normalised(Mean, Std);
        var train = tensor(trainPixels, [trainDims[0], 1, trainDims[1], trainDims[2]], ScalarType.Byte);
        var test = tensor(testPixels, [testDims[0], 1, testDims[1], testDims[2]], ScalarType.Byte);
        return new DataBundle(
            name,
            directory,
            new LabeledImages(train.narrow(0, 0, split.Train), ImageTensors.Labels(trainLabels, 0, split.Train), 10, scale),
            new LabeledImages(train.narrow(0, split.ValidationStart, split.Validation),
                ImageTensors.Labels(trainLabels, split.ValidationStart, split.Validation), 10, scale),
            new LabeledImages(test.narrow(0, 0, testDims[0]), ImageTensors.Labels(testLabels, 0, testDims[0]), 10, scale),
            augmentByDefault: false,
            Mean,
            Std);
    }

    private static string Find(string directory, string baseName)
    {
        var gz = Path.Combine(directory, baseName + ".gz");
        if (File.Exists(gz))
            return gz;
        var raw = Path.Combine(directory, baseName);
        if (File.Exists(raw))
            return raw;
        throw new FileNotFoundException(
            $"{directory}: neither {baseName}.gz nor {baseName} found (an MNIST-layout directory needs " +
            "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, " +
            "each optionally .gz; point --data-dir or SGDWALK_DATA at the right place)",
            gz);
    }

    private static (byte[] Pixels, int[] Dimensions) ReadImages(string path)
    {
        var (data, dims) = IdxReader.Read(path, expectedDimensions: 3, kind: "image");
        if (dims[1] == 0 || dims[2] == 0)
            throw new DataFormatException(path, $"images are {dims[1]}x{dims[2]} pixels");
        return (data, dims);
    }

    private static byte[] ReadLabels(string path, string imagesPath, int imageCount)
    {
        var (labels, dims) = IdxReader.Read(path, expectedDimensions: 1, kind: "label");
        if (dims[0] != imageCount)
            throw new DataFormatException(path, $"{dims[0]} labels but {imagesPath} holds {imageCount} images");
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] > 9)
                throw new DataFormatException(path, $"label {labels[i]} at index {i} is outside 0..9");
        }

        return labels;
    }
}
