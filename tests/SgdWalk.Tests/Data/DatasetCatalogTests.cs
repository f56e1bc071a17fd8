using System.Diagnostics;
using SgdWalk.Data;
using SgdWalk.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Data;

public class DatasetCatalogTests(ITestOutputHelper output)
{
    private const string DebianFashion = "/usr/share/datasets/fashion-mnist";

    [Fact]
    public void Known_lists_the_five_datasets_and_the_npz_file()
    {
        Assert.Equal(["fashion-mnist", "mnist", "cifar10", "synthetic", "valley", "npz:PATH"], DatasetCatalog.Known.Select(k => k.Name));
        Assert.Equal(DebianFashion, DatasetCatalog.Known[0].DefaultLocation);
    }

    [Fact]
    public void Unknown_name_lists_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => DatasetCatalog.ResolveDirectory("imagenet", null));
        Assert.Contains("imagenet", e.Message);
        Assert.Contains("fashion-mnist, mnist, cifar10, synthetic, valley", e.Message);
        Assert.Throws<ArgumentException>(() => DatasetCatalog.Load(new DataOptions("svhn")));
    }

    [Fact]
    public void Explicit_directory_wins_and_must_exist()
    {
        using var dir = new TempDirectory();
        using var env = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(env.Path, "mnist"));

        Assert.Equal(dir.Path, DatasetCatalog.ResolveDirectory("mnist", dir.Path, env.Path, "/nonexistent"));
        var missing = Path.Combine(dir.Path, "nope");
        var e = Assert.Throws<DirectoryNotFoundException>(() => DatasetCatalog.ResolveDirectory("mnist", missing, env.Path, "/nonexistent"));
        Assert.Contains(missing, e.Message);
        Assert.Contains("--data-dir", e.Message);
    }

    [Fact]
    public void Environment_root_is_used_per_dataset_before_the_system_location()
    {
        using var env = new TempDirectory();
        using var system = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(env.Path, "mnist"));
        Directory.CreateDirectory(Path.Combine(system.Path, "mnist"));
        Directory.CreateDirectory(Path.Combine(system.Path, "fashion-mnist"));

        Assert.Equal(Path.Combine(env.Path, "mnist"), DatasetCatalog.ResolveDirectory("mnist", null, env.Path, system.Path));
        Assert.Equal(Path.Combine(system.Path, "mnist"), DatasetCatalog.ResolveDirectory("MNIST", null, null, system.Path));
        var e = Assert.Throws<DirectoryNotFoundException>(() => DatasetCatalog.ResolveDirectory("fashion-mnist", null, env.Path, system.Path));
        Assert.Contains(Path.Combine(env.Path, "fashion-mnist"), e.Message);
        Assert.Contains("SGDWALK_DATA", e.Message);
    }

    [Fact]
    public void Cifar_has_no_default_and_follows_the_batches_subfolder()
    {
        using var env = new TempDirectory();
        var e = Assert.Throws<DirectoryNotFoundException>(() => DatasetCatalog.ResolveDirectory("cifar10", null, null, "/usr/share/datasets"));
        Assert.Contains("--data-dir", e.Message);

        var batches = Directory.CreateDirectory(Path.Combine(env.Path, "cifar-10-batches-bin")).FullName;
        Assert.Equal(batches, DatasetCatalog.ResolveDirectory("cifar10", null, env.Path, "/nonexistent"));
        Assert.Equal(batches, DatasetCatalog.ResolveDirectory("cifar10", env.Path, null, "/nonexistent"));
        Assert.Equal("(generated)", DatasetCatalog.ResolveDirectory("synthetic", null, null, "/nonexistent"));
    }

    [Fact]
    public void Missing_system_directory_is_named_with_the_way_to_supply_one()
    {
        using var system = new TempDirectory();

        var e = Assert.Throws<DirectoryNotFoundException>(() => DatasetCatalog.ResolveDirectory("fashion-mnist", null, null, system.Path));

        Assert.Contains(Path.Combine(system.Path, "fashion-mnist"), e.Message);
        Assert.Contains("--data-dir or SGDWALK_DATA", e.Message);
    }

    [Fact]
    public void Installed_Fashion_MNIST_loads_with_the_standard_split()
    {
        // Installed before the suite (scripts/ensure-test-deps.sh); without it this fails saying so. The lookup's
        // message when the package is absent is checked above on an empty folder.
        TestDependencies.Require("data");
        var clock = Stopwatch.StartNew();
        using var data = DatasetCatalog.Load(new DataOptions("fashion-mnist", DebianFashion));
        clock.Stop();
        output.WriteLine($"Fashion-MNIST loaded in {clock.ElapsedMilliseconds} ms");

        Assert.Equal(55_000, data.Train.Count);
        Assert.Equal(5_000, data.Validation.Count);
        Assert.Equal(10_000, data.Test.Count);
        Assert.Equal([55_000L, 1, 28, 28], data.Train.Inputs().shape);
        using var scope = NewDisposeScope();
        foreach (var set in new[] { data.Train, data.Validation, data.Test })
        {
            // Pixels 0 and 255 both occur in every split, so the range is exactly [-0.5, 0.5].
            Assert.Equal(-0.5f, set.Inputs().min().item<float>());
            Assert.Equal(0.5f, set.Inputs().max().item<float>());
            Assert.Equal(0L, set.Labels.min().item<long>());
            Assert.Equal(9L, set.Labels.max().item<long>());
        }
        // No bound on the time: on a shared machine it measures the neighbours (bench/ measures speed side by side).
    }
}
