namespace SgdWalk.Cli.Tests;

/// <summary>
/// Damaged dataset files through the whole command line: the run either trains (the damage hit pixel values, which no
/// check can tell from real ones) or stops with one line naming the damaged file and exit code 1; never a stack
/// trace, a crash or a hang.
/// </summary>
public class DatasetFuzzCliTests
{
    public const int Cases = 16;

    private static readonly string[] Files = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    [Fact]
    public void Randomly_truncated_or_flipped_files_are_always_a_clean_error_or_a_clean_run()
    {
        string data = Directory.CreateTempSubdirectory("sgdwalk-fuzz-").FullName;
        var originals = new Dictionary<string, byte[]>
        {
            [Files[0]] = Idx(0x08, [40, 3, 4], Enumerable.Range(0, 40 * 12).Select(i => (byte)(i * 37 % 256))),
            [Files[1]] = Idx(0x08, [40], Enumerable.Range(0, 40).Select(i => (byte)(i % 10))),
            [Files[2]] = Idx(0x08, [10, 3, 4], Enumerable.Range(0, 10 * 12).Select(i => (byte)(i * 11 % 256))),
            [Files[3]] = Idx(0x08, [10], Enumerable.Range(0, 10).Select(i => (byte)(i * 3 % 10))),
        };
        var random = new Random(20181106); // seeded: the same damage every run
        int rejected = 0;
        for (int k = 0; k < Cases; k++)
        {
            foreach (var (name, bytes) in originals) File.WriteAllBytes(Path.Combine(data, name), bytes);
            string victim = Files[random.Next(Files.Length)];
            var damaged = (byte[])originals[victim].Clone();
            for (int f = random.Next(0, 3); f > 0; f--) damaged[random.Next(damaged.Length)] ^= (byte)random.Next(1, 256);
            if (random.Next(2) == 0) damaged = damaged[..random.Next(damaged.Length)];
            File.WriteAllBytes(Path.Combine(data, victim), damaged);

            string output = Path.Combine(data, "run");
            var (code, text) = CliHarness.Run("train", "--dataset", "mnist", "--data-dir", data, "--val-size", "5", "--hidden", "8",
                "--batch-size", "10", "--steps", "1", "--probes", "none", "--no-report", "--out", output, "--overwrite");
            Assert.DoesNotContain("   at ", text);
            Assert.True(code is 0 or 1, $"case {k} ({victim}): exit {code}: {text}");
            if (code == 1)
            {
                rejected++;
                Assert.Contains($"sgdwalk: error: {Path.Combine(data, victim)}: ", text.Replace("\n", "", StringComparison.Ordinal));
            }
        }
        Assert.InRange(rejected, Cases / 4, Cases);
    }

    /// <summary>An IDX file written from the format's description: magic (0, 0, type, rank), big-endian sizes, data.</summary>
    private static byte[] Idx(byte type, int[] dims, IEnumerable<byte> data)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (int d in dims) bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        bytes.AddRange(data);
        return [.. bytes];
    }
}
