using System.IO.Compression;
using CsCheck;
using SgdWalk.Data;

namespace SgdWalk.Tests.Data;

public class IdxCorruptionTests
{
    private static string ValidFile(TempDirectory dir, bool gzip, string name = "train-images-idx3-ubyte")
    {
        var path = dir.File(name);
        IdxReader.Write(path, SmallSets.Images(5), [5, SmallSets.Height, SmallSets.Width], gzip);
        return path;
    }

    private static DataFormatException AssertRejected(string path)
    {
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        Assert.Equal(path, e.Path);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void Truncated_raw_file_names_expected_and_found_sizes()
    {
        using var dir = new TempDirectory();
        var path = ValidFile(dir, gzip: false);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);

        var e = AssertRejected(path);

        Assert.Equal($"truncated: expected {bytes.Length} bytes, found {bytes.Length - 3}", e.Problem);
    }

    [Fact]
    public void Truncated_payload_inside_a_valid_gzip_stream_is_reported_after_decompression()
    {
        using var dir = new TempDirectory();
        var path = dir.File("t10k-images-idx3-ubyte.gz");
        var raw = File.ReadAllBytes(ValidFile(dir, gzip: false, name: "raw"));
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            gz.Write(raw.AsSpan(0, 20));

        var e = AssertRejected(path);

        Assert.Equal($"truncated: expected {raw.Length} bytes after decompression, found 20", e.Problem);
    }

    [Fact]
    public void Header_promising_more_than_gzip_can_hold_is_truncated_without_a_huge_allocation()
    {
        using var dir = new TempDirectory();
        var path = dir.File("images.gz");
        // 60000x100x100 would be 600 MB; the stream holds the 16 header bytes only.
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            gz.Write(new byte[] { 0, 0, 8, 3, 0, 0, 0xEA, 0x60, 0, 0, 0, 100, 0, 0, 0, 100 });

        var e = AssertRejected(path);

        Assert.Equal("truncated: expected 600000016 bytes after decompression, found 16", e.Problem);
    }

    [Fact]
    public void Truncated_compressed_file_is_rejected()
    {
        using var dir = new TempDirectory();
        var path = ValidFile(dir, gzip: true);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        AssertRejected(path);
    }

    [Fact]
    public void Corrupt_gzip_stream_is_named_as_such()
    {
        using var dir = new TempDirectory();
        var path = dir.File("train-labels-idx1-ubyte.gz");
        // A valid gzip header followed by a deflate block of the reserved (invalid) type 11.
        byte[] header = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        File.WriteAllBytes(path, [.. header, .. Enumerable.Repeat((byte)0xff, 40)]);

        var e = AssertRejected(path);

        Assert.StartsWith("corrupt gzip stream", e.Problem);
    }

    [Fact]
    public void Damaged_gzip_checksum_is_rejected()
    {
        using var dir = new TempDirectory();
        var path = ValidFile(dir, gzip: true);
        var bytes = File.ReadAllBytes(path);
        bytes[^6] ^= 0x55; // inside the CRC-32 of the gzip trailer
        File.WriteAllBytes(path, bytes);

        var e = AssertRejected(path);

        Assert.StartsWith("corrupt gzip stream", e.Problem);
    }

    [Fact]
    public void Trailing_garbage_is_rejected()
    {
        using var dir = new TempDirectory();
        var path = ValidFile(dir, gzip: false);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, [.. bytes, 1, 2]);

        var e = AssertRejected(path);

        Assert.Equal($"trailing garbage: expected {bytes.Length} bytes, found {bytes.Length + 2}", e.Problem);
    }

    [Theory]
    [InlineData(new byte[] { 0x50, 0x4b, 3, 4, 0, 0, 0, 0 }, "wrong magic number 0x504B0304")]
    [InlineData(new byte[] { 0, 0, 8, 0 }, "wrong magic number 0x00000800")]
    [InlineData(new byte[] { 0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0 }, "unsupported IDX element type 0x0D")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff }, "dimension 0 is negative (-1)")]
    [InlineData(new byte[] { 0, 0 }, "truncated: expected at least 4 bytes")]
    [InlineData(new byte[] { 0, 0, 8, 2, 0, 0, 0, 1 }, "truncated: expected a 12-byte header")]
    public void Bad_headers_are_rejected(byte[] content, string problemStart)
    {
        using var dir = new TempDirectory();
        var path = dir.File("bad-idx");
        File.WriteAllBytes(path, content);

        var e = AssertRejected(path);

        Assert.StartsWith(problemStart, e.Problem);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Random_truncations_and_byte_flips_are_read_or_rejected_with_DataFormatException(bool gzip)
    {
        using var dir = new TempDirectory();
        var original = File.ReadAllBytes(ValidFile(dir, gzip));
        var flip = Gen.Select(Gen.Int[0, original.Length - 1], Gen.Int[1, 255]);
        var damage = Gen.Select(Gen.Int[0, original.Length], flip.Array[0, 3]);

        damage.Sample(
            (keep, flips) =>
            {
                var bytes = (byte[])original.Clone();
                foreach (var (position, mask) in flips)
                    bytes[position] ^= (byte)mask;
                var path = dir.File(Guid.NewGuid().ToString("N"));
                File.WriteAllBytes(path, bytes[..keep]);
                try
                {
                    var (data, dims) = IdxReader.Read(path);
                    // Accepted files must be self-consistent.
                    Assert.Equal(dims.Aggregate(1L, (a, d) => a * d), data.LongLength);
                }
                catch (DataFormatException e)
                {
                    Assert.StartsWith(path, e.Message);
                }
                finally
                {
                    File.Delete(path);
                }
            },
            iter: 400,
            threads: 1);
    }
}
