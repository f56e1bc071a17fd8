using CsCheck;
using SgdWalk.Data;

namespace SgdWalk.Tests.Data;

/// <summary>
/// Damaged dataset folders (random truncations and byte flips of one file) loaded through the catalog, as a run
/// loads them: each either loads into consistent splits or fails with a <see cref="DataFormatException"/> naming the
/// damaged file. Never another exception or a crash. (No time bound is asserted: it would measure the machine.)
/// </summary>
public class CatalogFuzzTests
{
    public const int MnistCases = 300, CifarCases = 60;

    private static readonly string[] MnistFiles = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    [Fact]
    public void Damaged_mnist_folders_load_consistently_or_fail_naming_the_file()
    {
        using var dir = new TempDirectory();
        SmallSets.WriteMnist(dir.Path, train: 30, test: 10, gzip: false);
        Fuzz(dir.Path, MnistFiles, MnistCases, () => DatasetCatalog.Load(new DataOptions("mnist", dir.Path, ValidationSize: 5)));
    }

    [Fact]
    public void Damaged_cifar10_folders_load_consistently_or_fail_naming_the_file()
    {
        using var dir = new TempDirectory();
        SmallSets.WriteCifar(dir.Path, perBatch: 2, test: 2);
        string[] files = [.. Enumerable.Range(1, 5).Select(b => $"data_batch_{b}.bin"), "test_batch.bin"];
        Fuzz(dir.Path, files, CifarCases, () => DatasetCatalog.Load(new DataOptions("cifar10", dir.Path, ValidationSize: 2)));
    }

    private static void Fuzz(string directory, string[] files, int cases, Func<DataBundle> load)
    {
        var originals = files.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(directory, f)));
        int rejected = 0;
        var damage = Gen.Select(Gen.Int[0, files.Length - 1], Gen.Double[0, 1], Gen.Select(Gen.Double[0, 1], Gen.Int[1, 255]).Array[0, 4]);
        damage.Sample(
            (fileIndex, keepFraction, flips) =>
            {
                string name = files[fileIndex], path = Path.Combine(directory, name);
                var bytes = (byte[])originals[name].Clone();
                foreach (var (where, mask) in flips) bytes[(int)(where * (bytes.Length - 1))] ^= (byte)mask;
                // Half the cases keep the whole (flipped) file, half cut it somewhere.
                int keep = keepFraction < 0.5 ? bytes.Length : (int)((keepFraction - 0.5) * 2 * bytes.Length);
                File.WriteAllBytes(path, bytes[..keep]);
                try
                {
                    using var data = load();
                    Assert.Equal(data.Train.Count, data.Train.Labels.shape[0]);
                    Assert.Equal(data.Test.Count, data.Test.Inputs().shape[0]);
                }
                catch (DataFormatException e)
                {
                    rejected++;
                    Assert.Equal(Path.GetFullPath(path), Path.GetFullPath(e.Path));
                    Assert.DoesNotContain('\n', e.Message);
                }
                finally
                {
                    File.WriteAllBytes(path, originals[name]);
                }
            },
            iter: cases,
            threads: 1);
        // Most damage is detectable (sizes, magic numbers, label ranges); flips inside pixels are not, and load.
        Assert.InRange(rejected, cases / 4, cases);
    }
}
