using System.Security.Cryptography;

namespace SgdWalk.Records;

/// <summary>
/// The part of a CSV file a checkpoint vouches for: its first N bytes and their SHA-256. Resume cuts the file back to
/// N bytes and appends; this proves beforehand that the cut falls where the checkpoint left it (after a whole row) and
/// that nothing before it was changed since (a file re-saved by a spreadsheet, say), so rows are never merged.
/// </summary>
public sealed class CsvPrefix : IDisposable
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long hashed;

    /// <summary>The SHA-256 (hex) of the first <paramref name="length"/> bytes, reading only what was not read in an
    /// earlier call (files only grow between checkpoints, so a run hashes each byte once).</summary>
    public string Advance(string path, long length)
    {
        if (length < hashed)
        {
            hash.GetHashAndReset();
            hashed = 0;
        }
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        file.Seek(hashed, SeekOrigin.Begin);
        var buffer = new byte[1 << 16];
        while (hashed < length)
        {
            int read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, length - hashed));
            if (read == 0) throw new IOException($"{path}: shorter than the {length} bytes just flushed");
            hash.AppendData(buffer, 0, read);
            hashed += read;
        }
        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    /// <summary>
    /// Null when <paramref name="path"/> still begins with exactly the <paramref name="length"/> bytes a checkpoint
    /// recorded (hash <paramref name="expectedHash"/>; older checkpoints without one are checked for a row boundary
    /// only); otherwise one line saying what is wrong.
    /// </summary>
    public static string? Problem(string path, long length, string? expectedHash)
    {
        string name = Path.GetFileName(path);
        if (!File.Exists(path)) return $"{path}: missing; the checkpoint needs its first {length} bytes";
        long size = new FileInfo(path).Length;
        if (size < length) return $"{path}: has {size} bytes but the checkpoint recorded {length}; the file was cut short or replaced";
        if (length > 0)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            file.Seek(length - 1, SeekOrigin.Begin);
            if (file.ReadByte() != '\n')
                return $"{path}: byte {length} recorded by the checkpoint is not the end of a row; {name} was edited since (resuming would merge two rows)";
        }
        if (expectedHash is null) return null;
        using var prefix = new CsvPrefix();
        return prefix.Advance(path, length) == expectedHash
            ? null
            : $"{path}: its first {length} bytes differ from those the checkpoint recorded; {name} was edited or replaced since (resuming would mix two versions)";
    }

    public void Dispose() => hash.Dispose();
}
