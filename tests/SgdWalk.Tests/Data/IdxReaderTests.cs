using SgdWalk.Data;

namespace SgdWalk.Tests.Data;

public class IdxReaderTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Write_then_read_gives_back_data_and_dimensions(bool gzip)
    {
        using var dir = new TempDirectory();
        var path = dir.File("images");
        var data = SmallSets.Images(5);
        IdxReader.Write(path, data, [5, SmallSets.Height, SmallSets.Width], gzip);

        var (read, dims) = IdxReader.Read(path);

        Assert.Equal(data, read);
        Assert.Equal([5, SmallSets.Height, SmallSets.Width], dims);
        // Detection is by content: a gzip file starts with 1f 8b whatever its name.
        var head = File.ReadAllBytes(path)[..2];
        Assert.Equal(gzip, head[0] == 0x1f && head[1] == 0x8b);
    }

    [Fact]
    public void Raw_file_has_the_documented_big_endian_header()
    {
        using var dir = new TempDirectory();
        var path = dir.File("labels");
        IdxReader.Write(path, [1, 2, 3], [3], gzip: false);
        Assert.Equal(new byte[] { 0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3 }, File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_rejects_data_that_does_not_match_the_dimensions()
    {
        using var dir = new TempDirectory();
        Assert.Throws<ArgumentException>(() => IdxReader.Write(dir.File("x"), new byte[5], [2, 3], gzip: false));
    }
}
