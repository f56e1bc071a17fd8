using SgdWalk.Data;
using SgdWalk.Records;
using SgdWalk.Training;

namespace SgdWalk.Tests.Training;

/// <summary>
/// The CIFAR-10 path end to end on generated batch files: three channels, per-channel normalisation, a conv model,
/// and training augmentation drawn from the run's own seed (so a repeated run is still identical, and the
/// probes still do not move it).
/// </summary>
public class CifarRunTests
{
    private static string GeneratedCifar()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        var rng = new Random(17);
        void Batch(string name, int count)
        {
            var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
            var pixels = new byte[count * 3072];
            for (int i = 0; i < count; i++)
                for (int p = 0; p < 3072; p++)
                    pixels[(i * 3072) + p] = (byte)Math.Clamp((labels[i] * 20) + rng.Next(0, 60) + (p / 1024 * 10), 0, 255);
            Cifar10Reader.WriteBatch(Path.Combine(dir, name), pixels, labels);
        }
        for (int b = 1; b <= 5; b++) Batch($"data_batch_{b}.bin", 40);
        Batch("test_batch.bin", 40);
        return dir;
    }

    [Fact]
    public void A_small_cnn_trains_on_cifar_files_with_seeded_augmentation()
    {
        string data = GeneratedCifar();
        var options = new TrainOptions
        {
            Dataset = "cifar10", DataDir = data, ValidationSize = 40, Model = "small-cnn", Hidden = [8, 16],
            BatchSize = 20, Steps = 8, ProbeSize = 40, Recorder = new() { Record = SgdWalk.Probes.RecordSchedule.All }, Threads = 1, Seed = 5,
        };
        RunFolder Train(TrainOptions o)
        {
            var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
            Assert.Equal(RunStatus.Completed, Trainer.Run(o, folder).Status);
            return folder;
        }
        var a = Train(options);
        var b = Train(options);
        var plain = Train(options with { Recorder = options.Recorder with { Probes = SgdWalk.Probes.ProbePreset.None } });
        var unaugmented = Train(options with { Augment = false });

        Assert.Equal(File.ReadAllBytes(a.Steps), File.ReadAllBytes(b.Steps));
        byte[] Final(RunFolder f) => File.ReadAllBytes(Path.Combine(f.Checkpoints, "final.dat"));
        Assert.Equal(Final(a), Final(plain));
        Assert.NotEqual(Final(a), Final(unaugmented)); // augmentation really was applied

        var manifest = RunManifest.Read(a.Manifest);
        Assert.Equal(40, manifest.Counts["probe_samples"]);
        Assert.Equal(160, manifest.Counts["steps_per_epoch"] * 20); // 200 images − 40 for validation
        Assert.Equal(8, CsvTable.Read(a.Steps).Numbers("probe_height").Count(v => !double.IsNaN(v)));
    }
}
