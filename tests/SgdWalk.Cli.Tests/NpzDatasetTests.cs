using System.Text.Json.Nodes;
using SgdWalk.Records;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// `--dataset npz:PATH` with files written by numpy itself: good files train and record the file's hash and
/// normalisation; every malformed one is refused in one line naming the file and the key, exit 2, nothing written.
/// </summary>
public class NpzDatasetTests
{
    // Each bad file: its name, how numpy writes it, and what the one-line error must say (besides the file's path).
    private const string BadFiles = """
        import sys, zipfile, numpy as np
        rng = np.random.default_rng(0)
        x = rng.integers(0, 256, (40, 1, 6, 6), dtype=np.uint8); y = np.arange(40) % 4
        f = x.astype(np.float32) / 255
        def save(name, **arrays): np.savez(name + ".npz", **arrays)
        save("missing_labels", images=x)
        save("missing_images", labels=y)
        save("unknown_key", images=x, labels=y, test_image=x)
        save("unpaired_test", images=x, labels=y, test_images=x)
        save("float64_images", images=x.astype(np.float64), labels=y)
        save("int8_images", images=x.astype(np.int8), labels=y)
        save("bigendian_images", images=f.astype(">f4"), labels=y)
        save("object_labels", images=x, labels=np.array([str(v) for v in y], dtype=object))
        save("float_labels", images=x, labels=y.astype(np.float32))
        nan = f.copy(); nan[3, 0, 2, 2] = np.nan; save("nan_images", images=nan, labels=y)
        inf = f.copy(); inf[0, 0, 0, 1] = np.inf; save("inf_images", images=inf, labels=y)
        neg = y.copy(); neg[7] = -1; save("negative_label", images=x, labels=neg)
        save("label_above_classes", images=x, labels=y, test_images=x, test_labels=y + 1, classes=np.array(4))
        save("count_mismatch", images=x, labels=y[:39])
        save("flat_images", images=x.reshape(40, -1), labels=y)
        save("matrix_labels", images=x, labels=y.reshape(40, 1))
        save("test_shape", images=x, labels=y, test_images=x[:, :, :4, :4], test_labels=y)
        save("one_class", images=x, labels=np.zeros(40, dtype=np.int64))
        save("fortran_images", images=np.asfortranarray(x.reshape(40, 6, 6)), labels=y)
        save("no_images_at_all", images=x[:0], labels=y[:0])
        huge = y.astype(np.uint64); huge[5] = 2**63 + 5; save("uint64_label", images=x, labels=huge)
        save("channels_last", images=rng.integers(0, 256, (40, 6, 6, 3), dtype=np.uint8), labels=y)
        np.savez_compressed("good_compressed", images=x, labels=y)
        np.savez("good_300", images=rng.integers(0, 256, (300, 1, 6, 6), dtype=np.uint8), labels=np.arange(300) % 4)
        whole = open("good_compressed.npz", "rb").read()
        open("truncated.npz", "wb").write(whole[: len(whole) // 2])
        open("not_a_zip.npz", "w").write("images,labels\n1,2\n")
        # Damage the deflate stream of 'images' inside an otherwise intact archive.
        with zipfile.ZipFile("good_compressed.npz") as z: info = z.getinfo("images.npy")
        damaged = bytearray(whole); h = info.header_offset
        start = h + 30 + int.from_bytes(whole[h + 26:h + 28], "little") + int.from_bytes(whole[h + 28:h + 30], "little")
        for k in range(start + 5, start + 60): damaged[k] ^= 0x5A
        open("corrupt_deflate.npz", "wb").write(bytes(damaged))
        # A CRC-32 that does not match the bytes (numpy refuses both): one pixel flipped in a stored entry, and a
        # deflated entry whose recorded checksum (local header and central directory) is wrong.
        np.savez("crc_base", images=x, labels=y)
        raw = bytearray(open("crc_base.npz", "rb").read())
        with zipfile.ZipFile("crc_base.npz") as z: info = z.getinfo("images.npy")
        h = info.header_offset
        start = h + 30 + int.from_bytes(raw[h + 26:h + 28], "little") + int.from_bytes(raw[h + 28:h + 30], "little")
        raw[start + info.file_size - 3] ^= 0x01
        open("bad_crc_stored.npz", "wb").write(bytes(raw))
        raw = bytearray(whole)
        with zipfile.ZipFile("good_compressed.npz") as z: info = z.getinfo("labels.npy")
        wrong = (info.CRC ^ 0x00010000).to_bytes(4, "little")
        h = info.header_offset; raw[h + 14:h + 18] = wrong
        for c in range(len(raw) - 46):
            if raw[c:c + 4] == b"PK\x01\x02" and int.from_bytes(raw[c + 42:c + 46], "little") == h: raw[c + 16:c + 20] = wrong
        open("bad_crc_deflated.npz", "wb").write(bytes(raw))
        """;

    public static TheoryData<string, string> Cases => new()
    {
        { "missing_labels", "has 'images' but no 'labels'" },
        { "missing_images", "has 'labels' but no 'images'" },
        { "unknown_key", "unexpected key 'test_image'" },
        { "unpaired_test", "has 'test_images' but no 'test_labels'" },
        { "float64_images", "'images' are float64" },
        { "int8_images", "'images' are int8" },
        { "bigendian_images", "'images' are float32 (big-endian)" },
        { "object_labels", "'labels' are object" },
        { "float_labels", "'labels' are float32" },
        { "nan_images", "'images' has NaN at flat index 122" },
        { "inf_images", "'images' has +inf at flat index 1" },
        { "negative_label", "'labels'[7] = -1" },
        { "label_above_classes", "'test_labels'[3] = 4 is not below 'classes' = 4" },
        { "count_mismatch", "'images' holds 40 images but 'labels' 39 labels" },
        { "flat_images", "'images' has shape (40, 36)" },
        { "matrix_labels", "'labels' has shape (40, 1)" },
        { "test_shape", "'test_images' are 1x4x4" },
        { "one_class", "a single class" },
        { "fortran_images", "'images' is stored in Fortran order" },
        { "no_images_at_all", "'images' holds no images" },
        { "truncated", "not a readable .npz (zip) archive" },
        { "not_a_zip", "not a readable .npz (zip) archive" },
        { "corrupt_deflate", "'images' cannot be read" },
        { "uint64_label", "'labels'[5] = 9223372036854775813 is far beyond any class" },
        { "channels_last", "'images' has shape (40, 6, 6, 3), which looks channels-last (N, H, W, C)" },
        { "bad_crc_stored", "'images' fails its CRC-32 check" },
        { "bad_crc_deflated", "'labels' fails its CRC-32 check" },
    };

    private static readonly Lazy<string> Folder = new(() =>
    {
        TestDependencies.Require("pytorch");
        string folder = Directory.CreateTempSubdirectory("sgdwalk-npz-").FullName;
        Python.Run(BadFiles, folder);
        return folder;
    });

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_malformed_npz_is_one_line_naming_file_and_key_exit_2_and_nothing_written(string name, string expected)
    {
        string file = Path.Combine(Folder.Value, name + ".npz");
        string output = Path.Combine(Folder.Value, "run-" + name);
        var (code, text) = CliHarness.Run("train", "--dataset", "npz:" + file, "--hidden", "8", "--batch-size", "10", "--steps", "1",
            "--probes", "none", "--no-report", "--out", output);
        Assert.Equal(2, code);
        string line = Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"sgdwalk: error: {file}: ", line);
        Assert.Contains(expected, line);
        Assert.False(Directory.Exists(output), "nothing may be written");
    }

    [Fact]
    public void A_compressed_npz_trains_and_run_json_records_its_hash_and_normalisation()
    {
        string file = Path.Combine(Folder.Value, "good_compressed.npz");
        string output = Path.Combine(Folder.Value, "run-good");
        var (code, text) = CliHarness.Run("train", "--dataset", "npz:" + file, "--hidden", "8", "--batch-size", "10", "--steps", "3",
            "--probe-size", "20", "--no-report", "--out", output, "--overwrite");
        Assert.True(code == 0, text);
        var options = RunManifest.Read(Path.Combine(output, "run.json")).Options;
        Assert.Equal("npz:" + file, options["dataset"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))),
            options["data_sha256"]!.GetValue<string>());
        Assert.Equal("uint8 / 255", options["data_normalisation"]!.GetValue<string>());
        // 40 images, no val_images: a tenth (4) is validation, 36 train; no test split, so the test columns are empty.
        var epochs = CsvTable.Read(Path.Combine(output, "epochs.csv"));
        Assert.True(double.IsNaN(epochs.Number(0, "test_acc")));
        Assert.False(double.IsNaN(epochs.Number(0, "val_acc")));
        Assert.Equal(36 / 10 + 1, RunManifest.Read(Path.Combine(output, "run.json")).Counts["steps_per_epoch"]);
    }

    [Fact]
    public void A_file_without_a_test_split_measures_barriers_on_the_training_probe_alone()
    {
        string file = Path.Combine(Folder.Value, "good_compressed.npz");
        string output = Path.Combine(Folder.Value, "run-barrier");
        var (code, text) = CliHarness.Run("train", "--dataset", "npz:" + file, "--hidden", "8", "--batch-size", "10", "--steps", "3",
            "--probes", "none", "--no-report", "--out", output, "--overwrite");
        Assert.True(code == 0, text);
        (code, text) = CliHarness.Run("barrier", output + ":initial", output + ":final", "--out", Path.Combine(output, "barrier.csv"));
        Assert.True(code == 0, text);
        Assert.Contains("(no test split)", text.ReplaceLineEndings(" "));
        var points = CsvTable.Read(Path.Combine(output, "barrier.csv"));
        Assert.All(points.Numbers("train_loss"), v => Assert.True(double.IsFinite(v)));
        Assert.All(points.Numbers("test_loss"), v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void An_experiment_runs_on_an_npz_file_given_as_an_override()
    {
        string file = Path.Combine(Folder.Value, "good_300.npz");
        string output = Path.Combine(Folder.Value, "experiment");
        var (code, text) = CliHarness.Run("experiment", "sgd-walk", "--dataset", "npz:" + file, "--train-size", "200", "--steps", "1",
            "--probes", "none", "--no-report", "--out", output);
        Assert.True(code == 0, text);
        var manifests = Directory.GetFiles(output, "run.json", SearchOption.AllDirectories);
        Assert.NotEmpty(manifests);
        Assert.All(manifests, m => Assert.Equal("npz:" + file, RunManifest.Read(m).Options["dataset"]!.GetValue<string>()));
    }

    [Fact]
    public void A_relative_npz_path_is_recorded_absolute_and_names_the_default_run_folder()
    {
        Assert.Equal("npz:" + Path.GetFullPath("d/good.npz"), SgdWalk.Data.NpzDataset.Qualify("npz:d/good.npz"));
        Assert.Equal("mnist", SgdWalk.Data.NpzDataset.Qualify("mnist"));
        var options = new SgdWalk.Training.TrainOptions { Dataset = "npz:/data/x/good.npz", BatchSize = 10 };
        Assert.Equal("npz-good-mlp-lr0.1-b10-s1111", Commands.OptionParsing.DefaultRunName(options));
    }
}
