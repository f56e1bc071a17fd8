using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Models;
using SgdWalk.Probes;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>
/// The rules that turn a run's options into its parts, written once for the trainer, the `--probe-size auto` pilot
/// and `sgdwalk barrier` (which rebuilds a finished run's model, data and probe subset from its run.json).
/// </summary>
public static class RunSetup
{
    public static DataBundle LoadData(TrainOptions options, string? dataDirectory = null) => DatasetCatalog.Load(DataOptionsOf(options, dataDirectory));

    /// <summary>The run's data: borrowed from <paramref name="cache"/> when given (loaded there once per process), else loaded for this run alone.</summary>
    public static DataLease BorrowData(TrainOptions options, DataCache? cache) =>
        cache is null ? DataLease.Owned(LoadData(options)) : cache.Borrow(DataOptionsOf(options, null));

    private static DataOptions DataOptionsOf(TrainOptions options, string? dataDirectory) =>
        new(options.Dataset, dataDirectory ?? options.DataDir, options.ValidationSize, options.TrainSize, new SeedStreams(options.Seed).SyntheticData);

    /// <summary>
    /// The zoo model the options name, initialised from the run's initialisation stream (torch's global generator); or
    /// the TorchScript file they name, with the file's own weights as θ_0.
    /// </summary>
    public static nn.Module<Tensor, Tensor> BuildModel(TrainOptions options, LabeledImages train)
    {
        if (TorchScriptModel.Names(options.Model)) return TorchScriptModel.Load(TorchScriptModel.PathOf(options.Model));
        manual_seed(new SeedStreams(options.Seed).Initialisation);
        var spec = new ModelSpec(train.Channels, train.Height, train.Width, train.Classes, options.Hidden, options.ModelBatchNorm, options.Depth);
        return ModelZoo.Create(options.Model, spec);
    }

    /// <summary>A fixed subset of the training split, drawn from its own generator, in ascending order; null size = all.</summary>
    public static long[] ProbeSubset(int count, int? size, long seed)
    {
        if (size is null || size >= count) return Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        using var generator = new Generator((ulong)seed);
        using var permutation = randperm(count, generator: generator);
        return permutation.data<long>().Take(size.Value).Order().ToArray();
    }

    /// <summary>
    /// Samples per forward pass when a loss is evaluated: under batch statistics the loss is defined chunk by chunk,
    /// so chunks are the training micro-batch; with running statistics the chunk size only trades memory for speed.
    /// </summary>
    public static int EvaluationChunk(TrainOptions options, bool batchStatistics) =>
        batchStatistics ? options.MicroBatch : options.EvaluationChunkSize;
}
