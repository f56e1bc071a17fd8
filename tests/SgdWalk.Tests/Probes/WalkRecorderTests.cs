using SgdWalk.Landscape;
using SgdWalk.Probes;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Probes;

public class WalkRecorderTests
{
    [Fact]
    public void A_walk_cannot_be_recorded_with_recomputed_batchnorm_statistics()
    {
        using var model = nn.Linear(3, 2);
        string folder = Directory.CreateTempSubdirectory().FullName;
        var options = new RecorderOptions { BatchNorm = BatchNormPolicy.Recompute };
        var error = Assert.Throws<ArgumentException>(() => new WalkRecorder(model, options, folder).Dispose());
        Assert.Contains("recompute", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "steps.csv")));
    }
}
