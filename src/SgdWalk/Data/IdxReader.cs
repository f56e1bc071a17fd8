using System.Buffers.Binary;
using System.IO.Compression;

namespace SgdWalk.Data;

/// <summary>
/// Reads and writes IDX files (the MNIST / Fashion-MNIST format), raw or gzipped. Only the unsigned-byte
/// element type (0x08) is supported: it is the only one those datasets use.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByte = 0x08;

    // Deflate cannot expand data by more than about 1032:1, so a header promising more than that
    // is certainly truncated; checking first avoids allocating gigabytes for a corrupt header.
    private const long MaxDeflateRatio = 1032;

    /// <summary>Reads an IDX file; gzip is detected by its 1f 8b magic, not by the file name.</summary>
    /// <exception cref="DataFormatException">The file is not a well-formed unsigned-byte IDX file.</exception>
    public static (byte[] Data, int[] Dimensions) Read(string path) => Read(path, expectedDimensions: null, kind: null);

    /// <summary>As <see cref="Read(string)"/>, but rejects a file with another number of dimensions
    /// before reading its payload; <paramref name="kind"/> ("image", "label") words the error.</summary>
    internal static (byte[] Data, int[] Dimensions) Read(string path, int? expectedDimensions, string? kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var fileLength = file.Length;
        var gzip = IsGzip(file);
        var suffix = gzip ? " after decompression" : "";
        using var stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        try
        {
            var head = new byte[4];
            var got = ReadFully(stream, head);
            if (got < 4)
                throw new DataFormatException(path, $"truncated: expected at least 4 bytes{suffix} (the IDX magic number), found {got}");
            var magic = BinaryPrimitives.ReadUInt32BigEndian(head);
            var rank = head[3];
            if (head[0] != 0 || head[1] != 0 || rank == 0)
                throw new DataFormatException(path, $"wrong magic number 0x{magic:X8}: not an IDX file{ExpectedMagic(expectedDimensions, kind)}");
            if (head[2] != UnsignedByte)
                throw new DataFormatException(path, $"unsupported IDX element type 0x{head[2]:X2} (magic 0x{magic:X8}); only unsigned bytes (0x08) are supported");
            if (expectedDimensions is int want && rank != want)
                throw new DataFormatException(path, $"wrong magic number 0x{magic:X8}{ExpectedMagic(want, kind)}");

            var headerLength = 4 + 4 * rank;
            var dimBytes = new byte[4 * rank];
            got = ReadFully(stream, dimBytes);
            if (got < dimBytes.Length)
                throw new DataFormatException(path, $"truncated: expected a {headerLength}-byte header{suffix}, found {4 + got} bytes");

            var dimensions = new int[rank];
            long payload = 1;
            for (var i = 0; i < rank; i++)
            {
                var d = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i));
                if (d < 0)
                    throw new DataFormatException(path, $"dimension {i} is negative ({d})");
                dimensions[i] = d;
                // Saturate instead of overflowing: anything above the array limit is rejected below anyway.
                payload = Math.Min(payload * d, long.MaxValue / int.MaxValue);
            }

            var expected = headerLength + payload;
            if (payload > Array.MaxLength)
                throw new DataFormatException(path, $"dimensions [{string.Join(", ", dimensions)}] describe more data than fits in memory");
            var impossible = gzip ? expected > fileLength * MaxDeflateRatio + 1024 : expected > fileLength;
            if (impossible)
                throw new DataFormatException(path, $"truncated: expected {expected} bytes{suffix}, found {headerLength + CountRemaining(stream)}");

            var data = new byte[payload];
            got = ReadFully(stream, data);
            if (got < payload)
                throw new DataFormatException(path, $"truncated: expected {expected} bytes{suffix}, found {headerLength + got}");

            var extra = CountRemaining(stream);
            if (extra > 0)
                throw new DataFormatException(path, $"trailing garbage: expected {expected} bytes{suffix}, found {expected + extra}");
            return (data, dimensions);
        }
        catch (InvalidDataException e)
        {
            // GZipStream's way of reporting a damaged stream (bad block, CRC or length mismatch).
            throw new DataFormatException(path, $"corrupt gzip stream ({e.Message.TrimEnd('.')})", e);
        }
    }

    /// <summary>Writes an unsigned-byte IDX file, gzipped or raw. Meant for tests and for users making small sets.</summary>
    public static void Write(string path, byte[] data, int[] dimensions, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Length is < 1 or > 255)
            throw new ArgumentException($"an IDX file has 1..255 dimensions, got {dimensions.Length}", nameof(dimensions));
        long product = 1;
        foreach (var d in dimensions)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(dimensions));
            product *= d;
        }

        if (product != data.Length)
            throw new ArgumentException($"dimensions [{string.Join(", ", dimensions)}] need {product} bytes, data has {data.Length}", nameof(data));

        var header = new byte[4 + 4 * dimensions.Length];
        header[2] = UnsignedByte;
        header[3] = (byte)dimensions.Length;
        for (var i = 0; i < dimensions.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dimensions[i]);

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        using var stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : (Stream)file;
        stream.Write(header);
        stream.Write(data);
    }

    private static string ExpectedMagic(int? dimensions, string? kind) =>
        dimensions is int d
            ? $", expected an IDX {kind ?? $"{d}-dimensional"} file (0x{0x800 + d:X8})"
            : "";

    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        var n = ReadFully(file, magic);
        file.Position = 0;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    private static int ReadFully(Stream stream, Span<byte> buffer) =>
        stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

    private static long CountRemaining(Stream stream)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
            total += n;
        return total;
    }
}
