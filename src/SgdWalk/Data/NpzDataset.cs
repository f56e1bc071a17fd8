using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using SgdWalk.Formats;
using static TorchSharp.torch;

namespace SgdWalk.Data;

/// <summary>
/// A dataset in one NumPy .npz file (`--dataset npz:PATH`, written by numpy.savez or savez_compressed): `images`
/// (N,C,H,W or N,H,W; uint8 is scaled to [0, 1], float32 is taken as given) and integer `labels` (N), optionally
/// `test_images`/`test_labels`, `val_images`/`val_labels` and a scalar `classes`. Classes = `classes` when given, else
/// the largest label in any split + 1. Everything is checked (keys, dtypes, shapes, counts, finite pixels, labels in
/// range) and every problem is one <see cref="DataFormatException"/> naming the file and the key.
/// </summary>
public sealed class NpzDataset
{
    public const string Prefix = "npz:";
    public const string UnitScale = "uint8 / 255";
    public const string AsGiven = "float32 as given";
    private static readonly string[] Allowed = ["images", "labels", "test_images", "test_labels", "val_images", "val_labels", "classes"];

    private NpzDataset(string path, string sha256, Split train, Split? validation, Split? test, int classes, string normalisation)
    {
        (Path, Sha256, Train, Validation, Test, Classes, Normalisation) = (path, sha256, train, validation, test, classes, normalisation);
    }

    public string Path { get; }

    /// <summary>SHA-256 of the whole file (recorded in run.json; part of the checkpoints' data fingerprint).</summary>
    public string Sha256 { get; }

    public Split Train { get; }

    /// <summary>The file's own validation split; null = taken from the end of the training images (--val-size).</summary>
    public Split? Validation { get; }

    /// <summary>The file's test split; null = none (test columns stay empty).</summary>
    public Split? Test { get; }

    public int Classes { get; }

    /// <summary><see cref="UnitScale"/> or <see cref="AsGiven"/> (recorded in run.json).</summary>
    public string Normalisation { get; }

    /// <summary>One split's pixels ([N,C,H,W] as in the file, uint8 or float32; null when only checked) and labels.</summary>
    public sealed record Split(int Count, int Channels, int Height, int Width, long[] Labels, Tensor? Images);

    /// <summary>True for "npz:PATH"; <paramref name="path"/> is then the file.</summary>
    public static bool IsNpz(string dataset, out string path)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        bool npz = dataset.StartsWith(Prefix, StringComparison.Ordinal);
        path = npz ? dataset[Prefix.Length..] : "";
        return npz;
    }

    /// <summary>"npz:" + the absolute path, so a run.json names the file wherever it is read from.</summary>
    public static string Qualify(string dataset) =>
        IsNpz(dataset, out string path) && path.Length > 0 ? Prefix + System.IO.Path.GetFullPath(path) : dataset;

    /// <summary>Reads and checks the whole file; with <paramref name="loadImages"/> false the pixels are checked but not kept.</summary>
    /// <exception cref="DataFormatException">Anything wrong with the file, one line naming it and the key.</exception>
    public static NpzDataset Read(string path, bool loadImages)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0) throw new DataFormatException("npz:", "--dataset npz:PATH needs the path of an .npz file");
        if (!File.Exists(path)) throw new DataFormatException(path, "no such file (--dataset npz:PATH)");
        try
        {
            using var file = File.OpenRead(path);
            string sha = Convert.ToHexStringLower(SHA256.HashData(file));
            file.Position = 0;
            ZipArchive zip;
            try { zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true); }
            catch (InvalidDataException e)
            {
                throw new DataFormatException(path, $"not a readable .npz (zip) archive ({e.Message}); write it with numpy.savez or sgdwalk.save_dataset");
            }
            using (zip)
            {
                var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
                foreach (var entry in zip.Entries)
                {
                    string key = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                    if (!Allowed.Contains(key))
                        throw new DataFormatException(path, $"unexpected key '{key}'; an .npz dataset holds {string.Join(", ", Allowed)}");
                    entries[key] = entry;
                }
                return new Reader(path, entries, loadImages).Read(sha);
            }
        }
        catch (DataFormatException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"cannot be read ({e.Message})");
        }
    }

    /// <summary>Loads the file as the three splits a run uses.</summary>
    public static DataBundle Load(string path, DataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var npz = Read(path, loadImages: true);
        using var scope = NewDisposeScope();
        var (train, validation) = npz.Partition(options);
        var test = npz.Test ?? npz.Train with { Count = 0, Labels = [], Images = npz.Train.Images!.narrow(0, 0, 0) };
        int channels = npz.Train.Channels;
        var scale = npz.Normalisation == UnitScale ? PixelScale.Unit : null;
        return new DataBundle(
            Prefix + System.IO.Path.GetFileName(path),
            System.IO.Path.GetFullPath(path),
            Labeled(train, npz.Classes, scale), Labeled(validation, npz.Classes, scale), Labeled(test, npz.Classes, scale),
            augmentByDefault: false,
            Enumerable.Repeat(0.0, channels).ToArray(),
            Enumerable.Repeat(1.0, channels).ToArray())
        {
            Sha256 = npz.Sha256,
            Normalisation = npz.Normalisation,
        };
    }

    /// <summary>The default --val-size of a file without its own validation split: 5,000, or a tenth of a smaller file.</summary>
    public static int DefaultValidationSize(int available) => Math.Min(Data.Split.DefaultValidationSize, available / 10);

    /// <summary>(training, validation) under --train-size / --val-size.</summary>
    private (Split Train, Split Validation) Partition(DataOptions options)
    {
        if (Validation is not null)
        {
            int count = options.TrainSize ?? Train.Count;
            if (count > Train.Count)
                throw new ArgumentException($"training size {count} must be in 1..{Train.Count} (the images of {Path})", nameof(options));
            return (Rows(Train, 0, count), Validation);
        }
        var split = Data.Split.Resolve(Prefix + Path, Train.Count,
            options with { ValidationSize = options.ValidationSize ?? DefaultValidationSize(Train.Count) });
        return (Rows(Train, 0, split.Train), Rows(Train, split.ValidationStart, split.Validation));
    }

    private static Split Rows(Split s, int start, int count) =>
        s with { Count = count, Labels = s.Labels[start..(start + count)], Images = s.Images!.narrow(0, start, count) };

    private static LabeledImages Labeled(Split s, int classes, PixelScale? scale) =>
        new(s.Images!.contiguous().clone(), tensor(s.Labels, ScalarType.Int64), classes, scale);

    /// <summary>The per-file reading: one array at a time, every check naming the key.</summary>
    private sealed class Reader(string path, Dictionary<string, ZipArchiveEntry> entries, bool loadImages)
    {
        private string current = "";

        public NpzDataset Read(string sha)
        {
            try { return ReadAll(sha); }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                // A damaged entry (bad deflate data, a truncated archive) fails while its bytes are read.
                throw new DataFormatException(path, $"'{current}' cannot be read ({e.Message}); the archive is damaged or truncated");
            }
        }

        private NpzDataset ReadAll(string sha)
        {
            foreach (var (images, labels) in new[] { ("images", "labels"), ("test_images", "test_labels"), ("val_images", "val_labels") })
            {
                if (entries.ContainsKey(images) != entries.ContainsKey(labels))
                {
                    var (has, lacks) = entries.ContainsKey(images) ? (images, labels) : (labels, images);
                    throw new DataFormatException(path, $"has '{has}' but no '{lacks}'{(has == "labels" ? "" : "; they come in pairs")}");
                }
            }
            if (!entries.ContainsKey("images"))
                throw new DataFormatException(path, $"no 'images' array (keys: {(entries.Count == 0 ? "none" : string.Join(", ", entries.Keys))}); " +
                    "an .npz dataset needs images (N,C,H,W or N,H,W) and labels (N)");

            var (train, normalisation) = ReadSplit("images", "labels", null);
            var validation = entries.ContainsKey("val_images") ? ReadSplit("val_images", "val_labels", train).Split : null;
            var test = entries.ContainsKey("test_images") ? ReadSplit("test_images", "test_labels", train).Split : null;
            var splits = new[] { ("labels", train), ("val_labels", validation), ("test_labels", test) };
            long largest = splits.Where(s => s.Item2 is { Count: > 0 }).Max(s => s.Item2!.Labels.Max());
            int classes;
            if (entries.ContainsKey("classes"))
            {
                classes = ReadClasses();
                foreach (var (key, split) in splits)
                {
                    if (split is null) continue;
                    int at = Array.FindIndex(split.Labels, l => l >= classes);
                    if (at >= 0) throw new DataFormatException(path, $"'{key}'[{at}] = {split.Labels[at]} is not below 'classes' = {classes}");
                }
            }
            else
            {
                if (largest < 1) throw new DataFormatException(path, "'labels' hold a single class (0); a classification needs at least two");
                if (largest >= 1 << 20) throw new DataFormatException(path, $"'labels' reach {largest}; more than {1 << 20} classes is not a label set");
                classes = (int)largest + 1;
            }
            return new NpzDataset(path, sha, train, validation, test, classes, normalisation);
        }

        private int ReadClasses()
        {
            using var stream = Open("classes", out var header);
            if (header.Shape.Length != 0 || !header.IsInteger)
                throw new DataFormatException(path, $"'classes' must be one integer (a 0-d array), not {header.TypeName} {header.ShapeText}");
            var value = Integers(stream, header, "classes")[0];
            Verify(stream, "classes");
            if (value is < 2 or > 1 << 20) throw new DataFormatException(path, $"'classes' = {value}; it must be from 2 to {1 << 20}");
            return (int)value;
        }

        private (Split Split, string Normalisation) ReadSplit(string imagesKey, string labelsKey, Split? train)
        {
            var labels = ReadLabels(labelsKey);
            using var stream = Open(imagesKey, out var header);
            var shape = header.Shape;
            if (shape.Length is not (3 or 4))
                throw new DataFormatException(path, $"'{imagesKey}' has shape {header.ShapeText}; it must be (N, C, H, W) or (N, H, W)");
            // (N, H, W, C) as TensorFlow, PIL and most image files hold them: the last axis a channel count, the second not.
            if (shape.Length == 4 && shape[3] is 1 or 3 or 4 && shape[1] is not (1 or 3 or 4))
                throw new DataFormatException(path, $"'{imagesKey}' has shape {header.ShapeText}, which looks channels-last (N, H, W, C); SgdWalk " +
                    $"takes (N, C, H, W): save {imagesKey}.transpose(0, 3, 1, 2)");
            long[] nchw = shape.Length == 4 ? shape : [shape[0], 1, shape[1], shape[2]];
            if (nchw.Skip(1).Any(d => d == 0 || d > 1 << 16) || nchw[0] > int.MaxValue)
                throw new DataFormatException(path, $"'{imagesKey}' has shape {header.ShapeText}; every image dimension must be from 1 to 65536");
            if (nchw[0] == 0) throw new DataFormatException(path, $"'{imagesKey}' holds no images");
            if (nchw[0] != labels.Length)
                throw new DataFormatException(path, $"'{imagesKey}' holds {nchw[0]} images but '{labelsKey}' {labels.Length} labels");
            if (train is not null && (nchw[1] != train.Channels || nchw[2] != train.Height || nchw[3] != train.Width))
                throw new DataFormatException(path, $"'{imagesKey}' are {nchw[1]}x{nchw[2]}x{nchw[3]} (C x H x W) but 'images' are " +
                    $"{train.Channels}x{train.Height}x{train.Width}");
            string normalisation = header.Descr switch
            {
                "|u1" or "<u1" or "=u1" => UnitScale,
                "<f4" or "=f4" => AsGiven,
                _ => throw new DataFormatException(path, $"'{imagesKey}' are {header.TypeName}; SgdWalk takes uint8 (scaled to [0, 1]) or float32 " +
                    $"(taken as given): save {imagesKey}.astype(numpy.float32)"),
            };
            if (header.FortranOrder) throw FortranOrder(imagesKey);
            long bytes = header.Count * header.ItemSize;
            if (bytes > Array.MaxLength)
                throw new DataFormatException(path, $"'{imagesKey}' holds {bytes} bytes; arrays above 2 GB are not supported");
            var data = new byte[bytes];
            if (!Npy.ReadFully(stream, data)) throw new DataFormatException(path, $"'{imagesKey}' is cut short (the archive is truncated)");
            Verify(stream, imagesKey);
            if (normalisation == AsGiven)
            {
                var floats = MemoryMarshal.Cast<byte, float>(data);
                for (int i = 0; i < floats.Length; i++)
                {
                    if (!float.IsFinite(floats[i]))
                        throw new DataFormatException(path, $"'{imagesKey}' has {(float.IsNaN(floats[i]) ? "NaN" : floats[i] > 0 ? "+inf" : "-inf")} " +
                            $"at flat index {i}; pixels must be finite");
                }
            }
            Tensor? images = null;
            if (loadImages)
            {
                using var scope = NewDisposeScope();
                var raw = empty(nchw, normalisation == UnitScale ? ScalarType.Byte : ScalarType.Float32);
                raw.bytes = data;
                // uint8 stays uint8 (scaled per batch by PixelScale.Unit), float32 is taken as given.
                images = raw.MoveToOuterDisposeScope();
            }
            return (new Split((int)nchw[0], (int)nchw[1], (int)nchw[2], (int)nchw[3], labels, images), normalisation);
        }

        private long[] ReadLabels(string key)
        {
            using var stream = Open(key, out var header);
            if (header.Shape.Length != 1)
                throw new DataFormatException(path, $"'{key}' has shape {header.ShapeText}; labels must be one integer per image, shape (N,)");
            if (!header.IsInteger)
                throw new DataFormatException(path, $"'{key}' are {header.TypeName}; labels must be integers (e.g. {key}.astype(numpy.int64))");
            if (header.FortranOrder) throw FortranOrder(key);
            var labels = Integers(stream, header, key);
            Verify(stream, key);
            int negative = Array.FindIndex(labels, l => l < 0);
            if (negative >= 0) throw new DataFormatException(path, $"'{key}'[{negative}] = {labels[negative]}; labels must be 0 or more");
            return labels;
        }

        private long[] Integers(Stream stream, NpyHeader header, string key)
        {
            if (header.Count > Array.MaxLength / 8) throw new DataFormatException(path, $"'{key}' holds {header.Count} values; too many");
            var data = new byte[header.Count * header.ItemSize];
            if (!Npy.ReadFully(stream, data)) throw new DataFormatException(path, $"'{key}' is cut short (the archive is truncated)");
            bool signed = header.Descr[1] == 'i';
            var values = new long[header.Count];
            for (int i = 0; i < values.Length; i++)
            {
                var bytes = data.AsSpan(i * header.ItemSize, header.ItemSize);
                if (header.ItemSize == 8 && !signed && BitConverter.ToUInt64(bytes) > long.MaxValue)
                    throw new DataFormatException(path, $"'{key}'[{i}] = {BitConverter.ToUInt64(bytes)} is far beyond any class (uint64 above {long.MaxValue})");
                values[i] = (header.ItemSize, signed) switch
                {
                    (1, true) => (sbyte)bytes[0],
                    (1, false) => bytes[0],
                    (2, true) => BitConverter.ToInt16(bytes),
                    (2, false) => BitConverter.ToUInt16(bytes),
                    (4, true) => BitConverter.ToInt32(bytes),
                    (4, false) => BitConverter.ToUInt32(bytes),
                    (_, true) => BitConverter.ToInt64(bytes),
                    (_, false) => (long)BitConverter.ToUInt64(bytes), // at most long.MaxValue: checked above
                };
            }
            return values;
        }

        /// <summary>
        /// The entry's CRC-32 (over all its bytes, as the archive records it) must match what was read, as numpy
        /// requires: a flipped byte in a stored entry, or a wrong checksum, is damage the reader would otherwise take as data.
        /// </summary>
        private void Verify(Crc32.Reading stream, string key)
        {
            uint actual = stream.ReadToEndAndHash(), recorded = entries[key].Crc32;
            if (actual != recorded)
                throw new DataFormatException(path, $"'{key}' fails its CRC-32 check (recorded {recorded:x8}, read {actual:x8}); the file is damaged");
        }

        private Crc32.Reading Open(string key, out NpyHeader header)
        {
            if (!entries.TryGetValue(key, out var entry)) throw new DataFormatException(path, $"no '{key}' array");
            current = key;
            Crc32.Reading? stream = null;
            try
            {
                stream = new Crc32.Reading(entry.Open());
                header = Npy.ReadHeader(stream);
                return stream;
            }
            catch (InvalidDataException e)
            {
                stream?.Dispose();
                throw new DataFormatException(path, $"'{key}' cannot be read as an .npy array ({e.Message})");
            }
        }

        private DataFormatException FortranOrder(string key) =>
            new(path, $"'{key}' is stored in Fortran order; save numpy.ascontiguousarray({key})");
    }
}
