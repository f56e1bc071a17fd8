using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Checkpoints;

/// <summary>
/// One checkpoint on disk: a JSON header and named tensors (parameters, buffers, optimiser momentum, probe state,
/// generator states), each stored as dtype, shape and raw little-endian bytes, followed by a SHA-256 of all of it.
/// Written atomically (temporary file, fsync, rename), so a crash leaves the old checkpoint or the new one, never half.
/// The format is ours rather than TorchSharp's Module.save so that one file holds the whole training state and can be
/// read without building the model (export, mismatch messages).
/// </summary>
public sealed class CheckpointFile : IDisposable
{
    private static readonly byte[] Magic = "SGDWALK-CHECKPOINT\n"u8.ToArray();

    public CheckpointFile(CheckpointHeader header, Dictionary<string, Tensor> tensors)
    {
        Header = header;
        Tensors = tensors;
    }

    public CheckpointHeader Header { get; }

    /// <summary>Named tensors. A checkpoint read from disk owns them (CPU, outside every dispose scope; dispose it);
    /// one built for writing only borrows the live tensors of the model, optimiser and probes (do not dispose it).</summary>
    public Dictionary<string, Tensor> Tensors { get; }

    /// <summary>The tensors under a prefix such as "model/", with the prefix removed, in file order.</summary>
    public IEnumerable<(string Name, Tensor Value)> Under(string prefix) =>
        Tensors.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(p => (p.Key[prefix.Length..], p.Value));

    public void Write(string path)
    {
        string temporary = path + ".tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using (var writer = new BinaryWriter(new HashingStream(file, hash), Encoding.UTF8, leaveOpen: true))
                {
                    writer.Write(Magic);
                    writer.Write(JsonSerializer.Serialize(Header, RunManifest.Json));
                    writer.Write(Tensors.Count);
                    foreach (var (name, tensor) in Tensors) WriteTensor(writer, name, tensor);
                }
                file.Write(hash.GetHashAndReset());
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            // A failed write (disk full) must not leave a partial file that looks like a checkpoint.
            File.Delete(temporary);
            throw;
        }
    }

    /// <exception cref="InvalidDataException">The file is not a checkpoint, is damaged, or is of a newer format.</exception>
    public static CheckpointFile Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not an SgdWalk checkpoint");
        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw new InvalidDataException($"{path}: damaged checkpoint (checksum mismatch)");

        var tensors = new Dictionary<string, Tensor>();
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, 0, body.Length), Encoding.UTF8);
            reader.ReadBytes(Magic.Length);
            var header = JsonSerializer.Deserialize<CheckpointHeader>(reader.ReadString(), RunManifest.Json)
                ?? throw new InvalidDataException($"{path}: checkpoint without a header");
            if (header.Format > CheckpointHeader.CurrentFormat)
                throw new InvalidDataException($"{path}: checkpoint format {header.Format} is newer than this SgdWalk ({CheckpointHeader.CurrentFormat})");
            int count = reader.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                var (name, tensor) = ReadTensor(reader);
                tensors[name] = tensor;
            }
            return new CheckpointFile(header, tensors);
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or ArgumentException or FormatException)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new InvalidDataException($"{path}: damaged checkpoint ({e.Message})");
        }
    }

    private static void WriteTensor(BinaryWriter writer, string name, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        writer.Write(name);
        writer.Write((int)cpu.dtype);
        writer.Write(cpu.shape.Length);
        foreach (long d in cpu.shape) writer.Write(d);
        var bytes = cpu.bytes;
        writer.Write((long)bytes.Length);
        writer.Write(bytes);
    }

    private static (string, Tensor) ReadTensor(BinaryReader reader)
    {
        string name = reader.ReadString();
        var dtype = (ScalarType)reader.ReadInt32();
        int rank = reader.ReadInt32();
        if (rank is < 0 or > 16) throw new FormatException($"tensor '{name}' has rank {rank}");
        var shape = new long[rank];
        for (int i = 0; i < rank; i++) shape[i] = reader.ReadInt64();
        long length = reader.ReadInt64();
        if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new FormatException($"tensor '{name}' claims {length} bytes");
        var tensor = empty(shape, dtype).DetachFromDisposeScope();
        if (tensor.bytes.Length != length)
        {
            tensor.Dispose();
            throw new FormatException($"tensor '{name}' of shape [{string.Join(",", shape)}] cannot hold {length} bytes");
        }
        tensor.bytes = reader.ReadBytes((int)length);
        return (name, tensor);
    }

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }

    /// <summary>Feeds every byte written through it to a hash.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
        }
    }
}
