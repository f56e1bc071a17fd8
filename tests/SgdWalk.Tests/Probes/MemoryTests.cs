using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Models;
using SgdWalk.Probes;
using SgdWalk.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Probes;

/// <summary>TorchSharp frees native memory only when tensors are disposed: a recorded run must not accumulate tensors.</summary>
public class MemoryTests
{
    [Fact]
    public void Fifty_recorded_steps_do_not_grow_the_live_tensor_count()
    {
        using var data = SyntheticData.Create(3, trainCount: 1000);
        manual_seed(3);
        using var model = ModelZoo.Create("mlp", new ModelSpec(1, 8, 8, data.Train.Classes, [32, 16]));
        var parameters = model.parameters().ToList();
        using var optimizer = new SgdOptimizer(parameters, momentum: 0.9, weightDecay: 1e-4);
        using var sampler = new EpochSampler(data.Train.Count, 50, 4);
        using var subset = data.Train.Take(0, 200);
        var probe = DataView.Own("probe", subset.Inputs().clone(), subset.Labels.clone(), 50);
        var options = new RecorderOptions { Record = RecordSchedule.All, BatchChunkSize = 50, BatchNorm = BatchNormPolicy.Running };
        using var recorder = new WalkRecorder(model, options, Directory.CreateTempSubdirectory().FullName, probe);

        var liveAfter = new List<long>();
        var batches = sampler.NextEpoch().Concat(sampler.NextEpoch()).Concat(sampler.NextEpoch()).Take(50).ToList();
        for (int step = 0; step < batches.Count; step++)
        {
            using (var scope = NewDisposeScope())
            {
                using var index = tensor(batches[step]);
                var x = data.Train.Inputs().index_select(0, index);
                var y = data.Train.Labels.index_select(0, index);
                recorder.BeginStep(x, y);
                model.train();
                optimizer.ZeroGrad();
                var loss = nn.functional.cross_entropy(model.call(x), y);
                loss.backward();
                recorder.CaptureGradient(loss.item<float>());
                optimizer.Step(0.1);
                recorder.EndStep(step, 1, 0.1);
            }
            liveAfter.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
        // After a few warm-up steps (momentum buffers, θ_0, g_{t−1} are created once) the count is flat.
        Assert.Equal(liveAfter[5], liveAfter[^1]);
        Assert.All(liveAfter.Skip(5), n => Assert.Equal(liveAfter[5], n));
    }
}
