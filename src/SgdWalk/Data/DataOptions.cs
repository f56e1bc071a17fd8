namespace SgdWalk.Data;

/// <summary>What to load. See <see cref="DatasetCatalog.Load"/> for how each field is used.</summary>
/// <param name="Dataset">"fashion-mnist", "mnist", "cifar10", "synthetic" or "valley".</param>
/// <param name="DataDir">Explicit directory (--data-dir); null means SGDWALK_DATA, then the Debian location.</param>
/// <param name="ValidationSize">Images held out from the END of the official training set; null = 5000.
/// For "synthetic" it is the size of the generated validation set (default 500).</param>
/// <param name="TrainSize">Keep only the first TrainSize training images; null = all.
/// For "synthetic" it is the size of the generated training set (default 2000).</param>
/// <param name="Seed">Seed of the generated sets (synthetic, valley); ignored by the real sets.</param>
public sealed record DataOptions(
    string Dataset = "fashion-mnist",
    string? DataDir = null,
    int? ValidationSize = null,
    int? TrainSize = null,
    long Seed = 1111);
