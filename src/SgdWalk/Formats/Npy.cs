using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace SgdWalk.Formats;

/// <summary>
/// NumPy's .npy format, read and written in one place: the magic "\x93NUMPY", a version, a little-endian header length
/// (uint16 in version 1.0, uint32 in 2.0 and 3.0), then a Python dict literal (descr, fortran_order, shape) padded with
/// spaces and ended by '\n', then the raw data. The writer emits version 1.0, C order, little-endian; numpy.load and
/// torch.from_numpy read it directly. The reader takes what numpy.save writes and refuses the rest in words.
/// </summary>
public static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static void Write(string path, Tensor tensor)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        Write(file, tensor);
    }

    public static void Write(Stream stream, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        string descr = cpu.dtype switch
        {
            ScalarType.Float32 => "<f4",
            ScalarType.Float64 => "<f8",
            ScalarType.Int64 => "<i8",
            ScalarType.Int32 => "<i4",
            ScalarType.Byte => "|u1",
            _ => throw new ArgumentException($"cannot write {cpu.dtype} as .npy"),
        };
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the .npy writer assumes a little-endian machine");
        string shape = cpu.shape.Length switch
        {
            0 => "()",
            1 => $"({cpu.shape[0].ToString(CultureInfo.InvariantCulture)},)",
            _ => "(" + string.Join(", ", cpu.shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        const int preamble = 10; // magic (6) + version (2) + header length (2)
        int padded = (preamble + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(padded - preamble - 1) + "\n";

        stream.Write(Magic);
        stream.Write([1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(cpu.bytes);
    }

    /// <summary>
    /// Reads the header of an .npy stream, leaving the stream at the first data byte.
    /// </summary>
    /// <exception cref="InvalidDataException">Not an .npy array, or a header numpy would not write; the message says which.</exception>
    public static NpyHeader ReadHeader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var preamble = new byte[8];
        if (!ReadFully(stream, preamble) || !preamble.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException("not a NumPy .npy array (no \\x93NUMPY magic)");
        int lengthBytes = preamble[6] switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new InvalidDataException($"unknown .npy format version {preamble[6]}.{preamble[7]}"),
        };
        var lengthField = new byte[lengthBytes];
        if (!ReadFully(stream, lengthField)) throw new InvalidDataException("the .npy header is cut short");
        long length = lengthBytes == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthField) : BinaryPrimitives.ReadUInt32LittleEndian(lengthField);
        if (length > 1 << 20) throw new InvalidDataException($"the .npy header claims {length} bytes");
        var text = new byte[length];
        if (!ReadFully(stream, text)) throw new InvalidDataException("the .npy header is cut short");
        return ParseHeader(Encoding.Latin1.GetString(text));
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="stream"/>; false when the stream ends first.</summary>
    public static bool ReadFully(Stream stream, Span<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int got = 0;
        while (got < buffer.Length && stream.Read(buffer[got..]) is int n and > 0) got += n;
        return got == buffer.Length;
    }

    private static NpyHeader ParseHeader(string dict)
    {
        var descr = DescrPattern().Match(dict);
        var order = OrderPattern().Match(dict);
        var shape = ShapePattern().Match(dict);
        if (!descr.Success)
            throw new InvalidDataException(dict.Contains("'descr': [", StringComparison.Ordinal)
                ? "a structured (record) array; save a plain numeric array"
                : $"an .npy header without a readable dtype ({dict.Trim()})");
        if (!order.Success || !shape.Success) throw new InvalidDataException($"an .npy header without fortran_order or shape ({dict.Trim()})");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v
                : throw new InvalidDataException($"an .npy shape with '{d}' in it"))
            .ToArray();
        return new NpyHeader(descr.Groups[1].Value, order.Groups[1].Value == "True", dims);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex OrderPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}

/// <summary>What an .npy header says: numpy's dtype string (e.g. "&lt;f4", "|u1"), the memory order and the shape.</summary>
public sealed record NpyHeader(string Descr, bool FortranOrder, long[] Shape)
{
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>numpy's name for the dtype, for messages: float32, uint8, object, ...</summary>
    public string TypeName => Descr.Length < 2 ? Descr : (Descr[1..], Descr[0]) switch
    {
        ("O", _) => "object",
        ("b1", _) => "bool",
        (var t, '>') when t != "u1" && t != "i1" => TypeOf(t) + " (big-endian)",
        (var t, _) => TypeOf(t),
    };

    /// <summary>Bytes per element of a plain numeric dtype; 0 for anything else.</summary>
    public int ItemSize => Descr.Length >= 3 && Descr[1] is 'f' or 'i' or 'u' or 'b'
        && int.TryParse(Descr.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int size) ? size : 0;

    /// <summary>A little-endian (or byte-sized) integer dtype.</summary>
    public bool IsInteger => Descr.Length >= 3 && Descr[0] is '<' or '|' or '=' && Descr[1] is 'i' or 'u' && ItemSize is 1 or 2 or 4 or 8;

    public string ShapeText => "(" + string.Join(", ", Shape) + ")";

    private static string TypeOf(string t) => t[0] switch
    {
        'f' => $"float{int.Parse(t.AsSpan(1), CultureInfo.InvariantCulture) * 8}",
        'i' => $"int{int.Parse(t.AsSpan(1), CultureInfo.InvariantCulture) * 8}",
        'u' => $"uint{int.Parse(t.AsSpan(1), CultureInfo.InvariantCulture) * 8}",
        'U' => "str",
        'S' => "bytes",
        'c' => "complex",
        'M' => "datetime64",
        'm' => "timedelta64",
        _ => t,
    };
}
