namespace SgdWalk.Data;

/// <summary>The datasets SgdWalk knows, where to find them, and how to load them.</summary>
public static class DatasetCatalog
{
    public const string EnvironmentVariable = "SGDWALK_DATA";
    public const string GeneratedDirectory = "(generated)";
    internal const string DebianRoot = "/usr/share/datasets";

    public static IReadOnlyList<DatasetInfo> Known { get; } =
    [
        new("fashion-mnist", "Fashion-MNIST: 28x28 greyscale clothing, 10 classes, 60,000 train + 10,000 test (IDX files)", $"{DebianRoot}/fashion-mnist"),
        new("mnist", "MNIST: 28x28 greyscale digits, 10 classes, 60,000 train + 10,000 test (IDX files)", $"{DebianRoot}/mnist"),
        new("cifar10", "CIFAR-10: 32x32 colour images, 10 classes, 50,000 train + 10,000 test (binary version)", "(none: use --data-dir or SGDWALK_DATA)"),
        new("synthetic", "Seeded Gaussian classes for tests and quick demos (generated, no files)", GeneratedDirectory),
        new("valley", "Seeded zero-mean noise (x, y) for the network-free valley models (generated, no files)", GeneratedDirectory),
        new("npz:PATH", "Your own data: a NumPy .npz with images, labels and optionally test_images/test_labels, val_images/val_labels " +
            "(python/sgdwalk.py save_dataset)", "PATH"),
    ];

    /// <summary>
    /// The directory to read <paramref name="dataset"/> from: <paramref name="dataDir"/> if given; otherwise
    /// $SGDWALK_DATA/&lt;dataset&gt; (SGDWALK_DATA is a root holding one folder per dataset); otherwise the Debian
    /// location (fashion-mnist, mnist only). For cifar10 a "cifar-10-batches-bin" subfolder is followed.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown dataset name.</exception>
    /// <exception cref="DirectoryNotFoundException">No usable directory; the message names what was tried.</exception>
    public static string ResolveDirectory(string dataset, string? dataDir) =>
        ResolveDirectory(dataset, dataDir, Environment.GetEnvironmentVariable(EnvironmentVariable), DebianRoot);

    /// <summary>Lookup with the environment and the system root injected, so tests need not change process state.</summary>
    internal static string ResolveDirectory(string dataset, string? dataDir, string? environmentRoot, string systemRoot)
    {
        if (NpzDataset.IsNpz(dataset, out string file))
            return File.Exists(file) ? Path.GetFullPath(file) : throw new FileNotFoundException($"{file}: no such file (--dataset npz:PATH)", file);
        var name = Canonical(dataset);
        if (name is "synthetic" or "valley")
            return GeneratedDirectory;

        if (!string.IsNullOrWhiteSpace(dataDir))
        {
            if (!Directory.Exists(dataDir))
                throw new DirectoryNotFoundException($"{dataDir}: data directory for {name} (from --data-dir) does not exist");
            return Refine(name, Path.GetFullPath(dataDir));
        }

        if (!string.IsNullOrWhiteSpace(environmentRoot))
        {
            var candidates = name == "cifar10"
                ? new[] { Path.Combine(environmentRoot, name), Path.Combine(environmentRoot, Cifar10Loader.BatchesFolder) }
                : [Path.Combine(environmentRoot, name)];
            foreach (var candidate in candidates)
            {
                if (Directory.Exists(candidate))
                    return Refine(name, Path.GetFullPath(candidate));
            }

            throw new DirectoryNotFoundException(
                $"{candidates[0]}: data directory for {name} does not exist ({EnvironmentVariable}={environmentRoot} is a root " +
                $"holding one folder per dataset, e.g. {Path.Combine(environmentRoot, name)}); use --data-dir to name the directory itself");
        }

        if (name == "cifar10")
        {
            throw new DirectoryNotFoundException(
                $"cifar10 has no default location; download the CIFAR-10 binary version and supply its directory with --data-dir " +
                $"or put it under {EnvironmentVariable}/cifar10");
        }

        var system = Path.Combine(systemRoot, name);
        if (!Directory.Exists(system))
        {
            var hint = name == "fashion-mnist" ? " (Debian package fashion-mnist)" : "";
            throw new DirectoryNotFoundException(
                $"{system}: data directory for {name} does not exist{hint}; supply one with --data-dir or {EnvironmentVariable}");
        }

        return system;
    }

    /// <summary>Loads the three splits described by <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">Unknown dataset, or sizes that do not fit the dataset.</exception>
    /// <exception cref="DirectoryNotFoundException">See <see cref="ResolveDirectory(string, string?)"/>.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing from the directory.</exception>
    /// <exception cref="DataFormatException">A file is malformed.</exception>
    public static DataBundle Load(DataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (NpzDataset.IsNpz(options.Dataset, out string file)) return NpzDataset.Load(file, options);
        var name = Canonical(options.Dataset);
        if (name == "synthetic")
        {
            return SyntheticData.Create(
                options.Seed,
                trainCount: options.TrainSize ?? SyntheticData.DefaultTrainCount,
                validationCount: options.ValidationSize ?? SyntheticData.DefaultValidationCount);
        }
        if (name == "valley")
            return ValleyData.Create(options.Seed, options.TrainSize ?? ValleyData.DefaultTrainCount, options.ValidationSize ?? ValleyData.DefaultValidationCount);

        var directory = ResolveDirectory(name, options.DataDir);
        return name == "cifar10"
            ? Cifar10Loader.Load(directory, options)
            : MnistLoader.Load(name, directory, options);
    }

    private static string Canonical(string dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var name = dataset.Trim().ToLowerInvariant();
        if (Known.Any(k => k.Name == name))
            return name;
        throw new ArgumentException(
            $"unknown dataset '{dataset}'; known: {string.Join(", ", Known.Select(k => k.Name))}",
            nameof(dataset));
    }

    private static string Refine(string name, string directory)
    {
        if (name != "cifar10" || Cifar10Loader.HoldsBatches(directory))
            return directory;
        // Accept the folder the CIFAR tarball was unpacked into, as well as the batches folder itself.
        var inner = Path.Combine(directory, Cifar10Loader.BatchesFolder);
        return Directory.Exists(inner) ? inner : directory;
    }
}
