using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace SgdWalk.Checkpoints;

/// <summary>
/// Writes NumPy's .npy format, version 1.0: the magic "\x93NUMPY", version 1.0, a little-endian uint16 header length,
/// then a Python dict literal (descr, fortran_order, shape) padded with spaces to a multiple of 64 bytes and ended by
/// '\n', then the raw C-order data. numpy.load and torch.from_numpy read it directly.
/// </summary>
public static class Npy
{
    public static void Write(string path, Tensor tensor)
    {
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

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        file.Write(BitConverter.GetBytes((ushort)header.Length));
        file.Write(Encoding.ASCII.GetBytes(header));
        file.Write(cpu.bytes);
    }
}
