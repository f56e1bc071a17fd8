using SgdWalk.Checkpoints;
using SgdWalk.Formats;
using SgdWalk.Records;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// python/sgdwalk.py's data and run-file functions under Debian's python3 + torch 1.13 + numpy: save_dataset writes a
/// file `--dataset npz:` trains on and refuses what SgdWalk would refuse; read_run reads the run's CSV files as SgdWalk
/// wrote them.
/// </summary>
public class CompanionTests
{
    [Fact]
    public void Save_dataset_writes_what_sgdwalk_trains_on_and_read_run_reads_its_files_back()
    {
        TestDependencies.Require("pytorch");
        string folder = Directory.CreateTempSubdirectory("sgdwalk-companion-").FullName;
        Python.Run("""
            import torch, sgdwalk
            torch.manual_seed(0)
            images = torch.randint(0, 256, (120, 6, 6), dtype=torch.uint8)          # (N, H, W) uint8, torch tensors
            labels = torch.randint(0, 3, (120,))
            assert sgdwalk.save_dataset("set", images, labels, test_images=images[:20], test_labels=labels[:20]) == "set.npz"
            def refused(**kw):
                args = dict(images=images, labels=labels); args.update(kw)
                try: sgdwalk.save_dataset("never.npz", **args)
                except ValueError as e: return str(e)
                raise AssertionError(f"accepted {list(kw)}")
            assert "int8" in refused(images=images.to(torch.int8))
            nan = images.float(); nan[0, 0, 0] = float("nan")
            assert "finite" in refused(images=nan)
            assert "one label per image" in refused(labels=labels[:-1])
            assert "negative" in refused(labels=labels - 1)
            assert "pairs" in refused(test_images=images)
            assert "classes = 2" in refused(classes=2)
            import os; assert not os.path.exists("never.npz")
            """, folder);

        string run = Path.Combine(folder, "run");
        var (code, text) = CliHarness.Run("train", "--dataset", "npz:" + Path.Combine(folder, "set.npz"), "--hidden", "8", "--batch-size", "20",
            "--steps", "6", "--probe-size", "40", "--record", "every:2", "--no-report", "--out", run);
        Assert.True(code == 0, text);

        Python.Run($$"""
            import numpy as np, sgdwalk
            r = sgdwalk.read_run("{{run}}")
            assert r["run"]["options"]["data_normalisation"] == "uint8 / 255"
            np.save("train_loss.npy", r["steps"]["train_loss"])
            np.save("probe_height.npy", r["steps"]["probe_height"])        # NaN where a step was not recorded
            assert set(r["profiles"]["view"]) == {"batch", "probe"}
            assert r["epochs"]["epoch"].tolist() == [1.0]
            """, folder);
        var steps = CsvTable.Read(Path.Combine(run, "steps.csv"));
        Assert.Equal(steps.Numbers("train_loss"), ReadDoubles(Path.Combine(folder, "train_loss.npy")));
        Assert.Equal(steps.Numbers("probe_height"), ReadDoubles(Path.Combine(folder, "probe_height.npy")));
        Assert.Equal(3, steps.Numbers("probe_height").Count(v => !double.IsNaN(v)));
    }

    private static double[] ReadDoubles(string path)
    {
        using var file = File.OpenRead(path);
        var header = Npy.ReadHeader(file);
        Assert.Equal("<f8", header.Descr);
        var bytes = new byte[header.Count * 8];
        Assert.True(Npy.ReadFully(file, bytes));
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes).ToArray();
    }
}
