namespace SgdWalk.Formats;

/// <summary>
/// CRC-32 as zip stores it (IEEE 802.3, reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF), so an
/// .npz entry's bytes can be checked against the checksum its archive records (numpy refuses a mismatch too).
/// </summary>
public static class Crc32
{
    private static readonly uint[] Table = Build();

    /// <summary>The CRC of <paramref name="data"/> continued from <paramref name="crc"/> (0 for a fresh start).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        foreach (byte b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    public static uint Of(ReadOnlySpan<byte> data) => Append(0, data);

    private static uint[] Build()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>A read-only stream that computes the CRC-32 of everything read through it.</summary>
    public sealed class Reading(Stream inner) : Stream
    {
        private long length;

        /// <summary>The CRC of the bytes read so far.</summary>
        public uint Value { get; private set; }

        /// <summary>How many bytes were read so far.</summary>
        public long BytesRead => length;

        /// <summary>Reads whatever is left (a checksum covers the whole entry) and returns the CRC of all of it.</summary>
        public uint ReadToEndAndHash()
        {
            var buffer = new byte[81920];
            while (Read(buffer, 0, buffer.Length) > 0)
            {
                // The bytes count towards the CRC as they pass.
            }
            return Value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            Value = Append(Value, buffer[..n]);
            length += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
