namespace SgdWalk.Data;

/// <summary>
/// Reads and writes batches of the CIFAR-10 binary version: records of 1 label byte followed by 3072 pixel bytes
/// (the 32x32 red plane, then green, then blue), 10,000 records per official file.
/// </summary>
public static class Cifar10Reader
{
    public const int ImageBytes = 3 * 32 * 32;
    public const int RecordBytes = 1 + ImageBytes;
    public const int Classes = 10;

    /// <summary>Reads one batch file. Pixels come back record after record, each in CHW (R, G, B plane) order.</summary>
    /// <exception cref="DataFormatException">The size is not a whole number of records, or a label is not 0..9.</exception>
    public static (byte[] Pixels, byte[] Labels) ReadBatch(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0)
            throw new DataFormatException(path, "empty file: expected records of 3073 bytes (1 label + 3072 pixels)");
        if (bytes.Length % RecordBytes != 0)
        {
            throw new DataFormatException(
                path,
                $"truncated: {bytes.Length} bytes is not a whole number of 3073-byte records " +
                $"({bytes.Length / RecordBytes} complete records and {bytes.Length % RecordBytes} bytes left over)");
        }

        var count = bytes.Length / RecordBytes;
        var pixels = new byte[(long)count * ImageBytes];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            var offset = (long)i * RecordBytes;
            var label = bytes[offset];
            if (label >= Classes)
                throw new DataFormatException(path, $"label {label} at record {i} is outside 0..9");
            labels[i] = label;
            Array.Copy(bytes, offset + 1, pixels, (long)i * ImageBytes, ImageBytes);
        }

        return (pixels, labels);
    }

    /// <summary>Writes a batch file in the official layout. Meant for tests.</summary>
    public static void WriteBatch(string path, byte[] pixels, byte[] labels)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (pixels.LongLength != (long)labels.Length * ImageBytes)
            throw new ArgumentException($"{labels.Length} labels need {(long)labels.Length * ImageBytes} pixel bytes, got {pixels.LongLength}", nameof(pixels));
        var bytes = new byte[(long)labels.Length * RecordBytes];
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= Classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"label {labels[i]} at record {i} is outside 0..9");
            bytes[(long)i * RecordBytes] = labels[i];
            Array.Copy(pixels, (long)i * ImageBytes, bytes, (long)i * RecordBytes + 1, ImageBytes);
        }

        File.WriteAllBytes(path, bytes);
    }
}
