namespace SgdWalk.Training;

/// <summary>
/// Every random stream of a run, each seeded from the run's seed here and nowhere else, so no two share a sequence
/// and a stream can be added without silently reusing another's draws. The offsets are the ones runs have always
/// used, except the isotropic noise, which moved from seed+4 (shared with the curvature probes) to seed+7.
/// </summary>
public sealed record SeedStreams(long Seed)
{
    /// <summary>Model initialisation: torch's global generator, set once just before the model is built.</summary>
    public long Initialisation => Seed;

    /// <summary>The data order (the epoch sampler's permutations).</summary>
    public long Order => unchecked(Seed + 1);

    /// <summary>Random crops and flips of the training batches.</summary>
    public long Augmentation => unchecked(Seed + 2);

    /// <summary>The fixed probe subset of the training split (and the `--probe-size auto` pool containing it).</summary>
    public long ProbeSubset => unchecked(Seed + 3);

    /// <summary>λ_max start vectors and Hutchinson trace probes.</summary>
    public long Sharpness => unchecked(Seed + 4);

    /// <summary>The mini-batches batch sharpness draws from the probe set.</summary>
    public long BatchSharpness => unchecked(Seed + 5);

    /// <summary>The `--probe-size auto` pilot's mini-batches.</summary>
    public long Pilot => unchecked(Seed + 6);

    /// <summary>The Gaussian noise of `--isotropic-noise`.</summary>
    public long Noise => unchecked(Seed + 7);

    /// <summary>The alignment probe's Lanczos start vectors and gradient-batch draws (`--alignment`).</summary>
    public long Alignment => unchecked(Seed + 8);

    /// <summary>The random-direction control's directions (`--random-direction`), sub-seeded by the step.</summary>
    public long RandomDirection => unchecked(Seed + 9);

    /// <summary>
    /// `--end-curvature`'s random start vector and Hutchinson probes at the final weights: a stream of its own, so a run
    /// that also measures per-step sharpness does not repeat that stream's first draws at the end.
    /// </summary>
    public long EndCurvature => unchecked(Seed + 10);

    /// <summary>
    /// The synthetic data set: the seed itself, which <see cref="Data.SyntheticData"/> hashes (SplitMix64, one stream per
    /// split) rather than offsets, so its generators are unrelated to the ones in <see cref="All"/>.
    /// </summary>
    public long SyntheticData => Seed;

    /// <summary>Every generator seeded from the run's seed by an offset, by name (a test checks that no two coincide).</summary>
    public IReadOnlyDictionary<string, long> All => new Dictionary<string, long>
    {
        ["initialisation"] = Initialisation,
        ["order"] = Order,
        ["augmentation"] = Augmentation,
        ["probe_subset"] = ProbeSubset,
        ["sharpness"] = Sharpness,
        ["batch_sharpness"] = BatchSharpness,
        ["pilot"] = Pilot,
        ["noise"] = Noise,
        ["alignment"] = Alignment,
        ["random_direction"] = RandomDirection,
        ["end_curvature"] = EndCurvature,
    };
}
