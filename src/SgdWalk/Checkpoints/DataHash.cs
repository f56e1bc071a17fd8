using System.Security.Cryptography;
using SgdWalk.Data;
using static TorchSharp.torch;

namespace SgdWalk.Checkpoints;

/// <summary>
/// A SHA-256 over the data a run sees: every split's shape and labels, the normalisation, and the bytes of up to 256
/// evenly spaced images of each split, and the SHA-256 of an `npz:` file. A checkpoint keeps it, so resuming on a data folder whose files changed
/// (other labels, other images, another size) is refused instead of silently continuing on other data. Hashing every
/// image would cost seconds on CIFAR-10; the sample catches a replaced file, the labels catch relabelling.
/// </summary>
public static class DataHash
{
    private const int SampledImages = 256;

    public static string Of(DataBundle data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var split in new[] { data.Train, data.Validation, data.Test })
        {
            using var scope = NewDisposeScope();
            foreach (long d in split.Shape) hash.AppendData(BitConverter.GetBytes(d));
            hash.AppendData(split.Labels.contiguous().bytes);
            if (split.Count == 0) continue;
            int count = Math.Min(SampledImages, split.Count);
            var rows = Enumerable.Range(0, count).Select(i => (long)i * split.Count / count).ToArray();
            // The inputs as the model sees them (float32), whether the split stores them as floats or as pixels.
            hash.AppendData(split.Inputs(tensor(rows)).contiguous().bytes);
        }
        foreach (double v in data.Mean.Concat(data.Std)) hash.AppendData(BitConverter.GetBytes(v));
        // A file dataset (npz:) is covered whole: a changed pixel anywhere is other data.
        if (data.Sha256 is not null) hash.AppendData(System.Text.Encoding.ASCII.GetBytes(data.Sha256));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
