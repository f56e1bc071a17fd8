namespace SgdWalk.Data;

/// <summary>The three splits of one dataset plus how they were prepared. Owns the splits.</summary>
public sealed class DataBundle : IDisposable
{
    public DataBundle(
        string name,
        string directory,
        LabeledImages train,
        LabeledImages validation,
        LabeledImages test,
        bool augmentByDefault,
        IReadOnlyList<double> mean,
        IReadOnlyList<double> std)
    {
        Name = name;
        Directory = directory;
        Train = train;
        Validation = validation;
        Test = test;
        AugmentByDefault = augmentByDefault;
        Mean = mean.ToArray();
        Std = std.ToArray();
    }

    public string Name { get; }

    /// <summary>Where the files were read from; "(generated)" for the synthetic set.</summary>
    public string Directory { get; }

    public LabeledImages Train { get; }

    public LabeledImages Validation { get; }

    public LabeledImages Test { get; }

    /// <summary>True for cifar10 only (random crop + flip is the authors' CIFAR setting).</summary>
    public bool AugmentByDefault { get; }

    /// <summary>Per-channel mean that was subtracted (after scaling pixels to 0..1).</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>Per-channel standard deviation that was divided by.</summary>
    public IReadOnlyList<double> Std { get; }

    /// <summary>SHA-256 of the file the data came from (`npz:` datasets; null for the built-in sets).</summary>
    public string? Sha256 { get; init; }

    /// <summary>How pixels became inputs, for run.json (`npz:` datasets: "uint8 / 255" or "float32 as given").</summary>
    public string? Normalisation { get; init; }

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
