using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace SgdWalk.Formats;

/// <summary>
/// Reads a .safetensors file and checks it as the format requires before any byte becomes a weight: an 8-byte
/// little-endian header length, a JSON header (name → dtype, shape, data_offsets [begin, end) relative to the data
/// after the header; an optional __metadata__), then the data. The offsets must be non-negative integers, begin ≤ end,
/// end − begin = shape × the dtype's size, and together, in order of begin, they must tile the data exactly: the first
/// starts at 0, each starts where the previous ended, the last ends at the end of the file (no overlap, no gap, no
/// header bytes taken as weights). Every problem is one <see cref="InvalidDataException"/> naming the file and the tensor.
/// </summary>
internal static class SafetensorsReader
{
    /// <summary>The reference implementation's limit on the header (100 MB).</summary>
    private const long MaxHeader = 100_000_000;

    private static readonly Dictionary<string, (ScalarType Type, int Size)> Types = new(StringComparer.Ordinal)
    {
        ["F64"] = (ScalarType.Float64, 8), ["F32"] = (ScalarType.Float32, 4), ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2), ["I64"] = (ScalarType.Int64, 8), ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2), ["I8"] = (ScalarType.Int8, 1), ["U8"] = (ScalarType.Byte, 1), ["BOOL"] = (ScalarType.Bool, 1),
    };

    private sealed record Entry(string Name, ScalarType Type, long[] Shape, long Begin, long End);

    /// <summary>The tensors of <paramref name="file"/> by name; the caller owns them.</summary>
    public static Dictionary<string, Tensor> Read(string path, Stream file)
    {
        long total = file.Length;
        var lengthField = new byte[8];
        if (total < 8 || !Npy.ReadFully(file, lengthField))
            throw new InvalidDataException($"{path}: {total} bytes, too short for a safetensors file (8-byte header length, JSON header, data)");
        if (lengthField.AsSpan(0, 4).SequenceEqual("PK\u0003\u0004"u8))
            throw new InvalidDataException($"{path}: is a zip archive (a torch.save file), not safetensors; name it .pt");
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthField);
        if (length < 2 || length > (ulong)Math.Min(MaxHeader, total - 8))
            throw new InvalidDataException($"{path}: not a safetensors file (its header length field says {length} bytes; the file holds " +
                $"{total - 8} after the field)");
        var headerBytes = new byte[length];
        if (!Npy.ReadFully(file, headerBytes)) throw new InvalidDataException($"{path}: the safetensors header is cut short");
        long dataStart = 8 + (long)length, dataLength = total - dataStart;
        var entries = Parse(path, headerBytes, dataLength);

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in entries)
            {
                long bytes = entry.End - entry.Begin;
                if (bytes > Array.MaxLength) throw new InvalidDataException($"{path}: '{entry.Name}' holds {bytes} bytes; tensors above 2 GB are not supported");
                var tensor = empty(entry.Shape, entry.Type);
                tensors[entry.Name] = tensor;
                if (bytes == 0) continue;
                var data = new byte[bytes];
                file.Position = dataStart + entry.Begin;
                if (!Npy.ReadFully(file, data)) throw new InvalidDataException($"{path}: '{entry.Name}' is cut short (the file is truncated)");
                tensor.bytes = data;
            }
            return tensors;
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>The header's entries, every one checked, in order of their data.</summary>
    private static List<Entry> Parse(string path, byte[] header, long dataLength)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(header); }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the safetensors header is not valid JSON ({e.Message.Split('.')[0]}); not a safetensors file?");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: the safetensors header is not a JSON object");
            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                string name = property.Name;
                if (!names.Add(name)) throw new InvalidDataException($"{path}: '{name}' appears twice in the safetensors header");
                if (name == "__metadata__") continue;
                entries.Add(ParseEntry(path, name, property.Value, dataLength));
            }
            // In order of their data, the tensors must tile it exactly: no overlap, no gap, nothing left over.
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long expected = 0;
            foreach (var entry in entries)
            {
                if (entry.Begin < expected)
                    throw new InvalidDataException($"{path}: '{entry.Name}': data_offsets [{entry.Begin}, {entry.End}] overlap another tensor's " +
                        "bytes; refusing to read one tensor's values into another");
                if (entry.Begin > expected)
                    throw new InvalidDataException($"{path}: '{entry.Name}': data_offsets [{entry.Begin}, {entry.End}] leave bytes {expected}.." +
                        $"{entry.Begin - 1} to no tensor; the format requires the tensors to follow each other without gaps");
                expected = entry.End;
            }
            if (expected != dataLength)
                throw new InvalidDataException($"{path}: the tensors' data end at byte {expected} but the file holds {dataLength} data bytes " +
                    "after its header; truncated, or not written by a safetensors writer");
            return entries;
        }
    }

    private static Entry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        string where = $"{path}: '{name}'";
        if (value.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where}: its header entry is not an object");
        string? dtype = value.TryGetProperty("dtype", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        if (dtype is null || !Types.TryGetValue(dtype, out var type))
            throw new InvalidDataException($"{where}: dtype {(dtype is null ? "missing" : $"'{dtype}'")}; SgdWalk reads {string.Join(", ", Types.Keys)}");
        var shape = Integers(where, value, "shape", null);
        var offsets = Integers(where, value, "data_offsets", 2);
        long begin = offsets[0], end = offsets[1];
        if (end < begin) throw new InvalidDataException($"{where}: data_offsets [{begin}, {end}] end before they begin");
        if (end > dataLength)
            throw new InvalidDataException($"{where}: data_offsets [{begin}, {end}] run past the end of the data ({dataLength} bytes)");
        long expected;
        try { expected = checked(shape.Aggregate(1L, (a, b) => a * b) * type.Size); }
        catch (OverflowException) { throw new InvalidDataException($"{where}: shape [{string.Join(", ", shape)}] is too large"); }
        if (end - begin != expected)
            throw new InvalidDataException($"{where}: data_offsets [{begin}, {end}] hold {end - begin} bytes, but {dtype} " +
                $"[{string.Join(", ", shape)}] takes {expected}");
        return new Entry(name, type.Type, shape, begin, end);
    }

    /// <summary>A JSON array of non-negative integers (of <paramref name="count"/> elements when given).</summary>
    private static long[] Integers(string where, JsonElement value, string key, int? count)
    {
        if (!value.TryGetProperty(key, out var array) || array.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{where}: no {key} array in its header entry");
        var numbers = new List<long>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long n) || n < 0)
                throw new InvalidDataException($"{where}: {key} {array.GetRawText()} must be non-negative integers");
            numbers.Add(n);
        }
        if (count is { } c && numbers.Count != c)
            throw new InvalidDataException($"{where}: {key} {array.GetRawText()} must be [begin, end]");
        return numbers.ToArray();
    }
}
