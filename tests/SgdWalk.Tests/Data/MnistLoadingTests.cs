using SgdWalk.Data;

namespace SgdWalk.Tests.Data;

public class MnistLoadingTests
{
    private const int TrainFile = 20;
    private const int TestFile = 6;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Load_gives_shapes_split_and_normalisation(bool gzip)
    {
        using var dir = new TempDirectory();
        SmallSets.WriteMnist(dir.Path, TrainFile, TestFile, gzip);

        using var data = DatasetCatalog.Load(new DataOptions("mnist", dir.Path, ValidationSize: 4));

        Assert.Equal("mnist", data.Name);
        Assert.Equal(dir.Path, data.Directory);
        Assert.False(data.AugmentByDefault);
        Assert.Equal([0.5], data.Mean);
        Assert.Equal([1.0], data.Std);
        Assert.Equal([16L, 1, 3, 4], data.Train.Inputs().shape);
        Assert.Equal([4L, 1, 3, 4], data.Validation.Inputs().shape);
        Assert.Equal([6L, 1, 3, 4], data.Test.Inputs().shape);
        Assert.Equal(TorchSharp.torch.ScalarType.Float32, data.Train.Inputs().dtype);
        Assert.Equal(10, data.Train.Classes);

        // Training = first 16 images of the file, validation = last 4, test = the t10k file.
        AssertImage(data.Train, row: 0, fileImage: 0);
        AssertImage(data.Train, row: 15, fileImage: 15);
        AssertImage(data.Validation, row: 0, fileImage: 16);
        AssertImage(data.Validation, row: 3, fileImage: 19);
        AssertImage(data.Test, row: 2, fileImage: 1002);
    }

    [Fact]
    public void TrainSize_keeps_the_first_training_images_and_leaves_validation_alone()
    {
        using var dir = new TempDirectory();
        SmallSets.WriteMnist(dir.Path, TrainFile, TestFile, gzip: true);

        using var data = DatasetCatalog.Load(new DataOptions("fashion-mnist", dir.Path, ValidationSize: 5, TrainSize: 7));

        Assert.Equal(7, data.Train.Count);
        Assert.Equal(5, data.Validation.Count);
        AssertImage(data.Train, row: 6, fileImage: 6);
        AssertImage(data.Validation, row: 0, fileImage: 15);
    }

    [Theory]
    [InlineData(20, null)]
    [InlineData(25, null)]
    [InlineData(-1, null)]
    [InlineData(5, 16)]
    [InlineData(5, 0)]
    public void Sizes_that_do_not_fit_are_ArgumentExceptions(int validation, int? train)
    {
        using var dir = new TempDirectory();
        SmallSets.WriteMnist(dir.Path, TrainFile, TestFile, gzip: false);

        var e = Assert.Throws<ArgumentException>(() => DatasetCatalog.Load(new DataOptions("mnist", dir.Path, validation, train)));

        Assert.Contains("size", e.Message);
    }

    [Fact]
    public void Default_validation_size_5000_is_too_large_for_a_tiny_set()
    {
        using var dir = new TempDirectory();
        SmallSets.WriteMnist(dir.Path, TrainFile, TestFile, gzip: false);

        var e = Assert.Throws<ArgumentException>(() => DatasetCatalog.Load(new DataOptions("mnist", dir.Path)));

        Assert.Contains("validation size 5000 must be smaller than the 20 images", e.Message);
    }

    [Fact]
    public void Labels_file_in_place_of_images_is_a_wrong_magic_number()
    {
        using var dir = new TempDirectory();
        SmallSets.WriteMnist(dir.Path, TrainFile, TestFile, gzip: true);
        var images = dir.File("train-images-idx3-ubyte.gz");
        IdxReader.Write(images, SmallSets.Labels(TrainFile), [TrainFile], gzip: true);

        var e = Assert.Throws<DataFormatException>(() => DatasetCatalog.Load(new DataOptions("mnist", dir.Path, 4)));

        Assert.Equal($"{images}: wrong magic number 0x00000801, expected an IDX image file (0x00000803)", e.Message);
    }

    [Fact]
    public void Labels_with_two_dimensions_are_a_wrong_magic_number()
    {
        using var dir = new TempDirectory();
        SmallSets.WriteMnist(dir.Path, TrainFile, TestFile, gzip: false);
        var labels = dir.File("t10k-labels-idx1-ubyte");
        IdxReader.Write(labels, SmallSets.Labels(TestFile), [TestFile, 1], gzip: false);

        var e = Assert.Throws<DataFormatException>(() => DatasetCatalog.Load(new DataOptions("mnist", dir.Path, 4)));

        Assert.Equal($"{labels}: wrong magic number 0x00000802, expected an IDX label file (0x00000801)", e.Message);
    }

    [Fact]
    public void Image_and_label_count_mismatch_names_both_files()
    {
        using var dir = new TempDirectory();
        SmallSets.WriteMnist(dir.Path, TrainFile, TestFile, gzip: true);
        var labels = dir.File("train-labels-idx1-ubyte.gz");
        IdxReader.Write(labels, SmallSets.Labels(TrainFile - 1), [TrainFile - 1], gzip: true);

        var e = Assert.Throws<DataFormatException>(() => DatasetCatalog.Load(new DataOptions("mnist", dir.Path, 4)));

        Assert.Equal(labels, e.Path);
        Assert.Contains("19 labels", e.Message);
        Assert.Contains(dir.File("train-images-idx3-ubyte.gz") + " holds 20 images", e.Message);
    }

    [Fact]
    public void Label_out_of_range_names_value_index_and_file()
    {
        using var dir = new TempDirectory();
        SmallSets.WriteMnist(dir.Path, TrainFile, TestFile, gzip: false);
        var labels = dir.File("train-labels-idx1-ubyte");
        var values = SmallSets.Labels(TrainFile);
        values[5] = 12;
        IdxReader.Write(labels, values, [TrainFile], gzip: false);

        var e = Assert.Throws<DataFormatException>(() => DatasetCatalog.Load(new DataOptions("mnist", dir.Path, 4)));

        Assert.Equal($"{labels}: label 12 at index 5 is outside 0..9", e.Message);
    }

    [Fact]
    public void Test_images_of_another_size_are_rejected()
    {
        using var dir = new TempDirectory();
        SmallSets.WriteMnist(dir.Path, TrainFile, TestFile, gzip: false);
        var images = dir.File("t10k-images-idx3-ubyte");
        IdxReader.Write(images, new byte[TestFile * 4 * 3], [TestFile, 4, 3], gzip: false);

        var e = Assert.Throws<DataFormatException>(() => DatasetCatalog.Load(new DataOptions("mnist", dir.Path, 4)));

        Assert.Equal(images, e.Path);
    }

    [Fact]
    public void Missing_file_names_the_directory_and_the_file()
    {
        using var dir = new TempDirectory();
        SmallSets.WriteMnist(dir.Path, TrainFile, TestFile, gzip: true);
        File.Delete(dir.File("t10k-labels-idx1-ubyte.gz"));

        var e = Assert.Throws<FileNotFoundException>(() => DatasetCatalog.Load(new DataOptions("mnist", dir.Path, 4)));

        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
    }

    private static void AssertImage(LabeledImages set, int row, int fileImage)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        Assert.Equal(SmallSets.Label(fileImage), set.Labels[row].item<long>());
        for (var y = 0; y < SmallSets.Height; y++)
        {
            for (var x = 0; x < SmallSets.Width; x++)
            {
                var expected = SmallSets.Pixel(fileImage, y, x) / 255.0 - 0.5;
                Assert.Equal(expected, set.Inputs()[row, 0, y, x].item<float>(), 1e-6);
            }
        }
    }
}
