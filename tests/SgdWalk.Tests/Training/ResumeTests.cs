using SgdWalk.Checkpoints;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Training;

public class ResumeTests
{
    private static readonly TrainOptions Small = new()
    {
        Dataset = "synthetic", Hidden = [16], BatchSize = 50, Steps = 12, Recorder = new() { Probes = ProbePreset.Cheap }, Threads = 1, Seed = 3, Momentum = 0.5,
    };

    private static RunFolder Interrupted(int atStep)
    {
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        using var stop = new CancellationTokenSource();
        var result = Trainer.Run(Small, folder, p => { if (p.Step == atStep) stop.Cancel(); }, stop.Token);
        Assert.Equal(RunStatus.Interrupted, result.Status);
        return folder;
    }

    [Fact]
    public void A_checkpoint_whose_tensors_do_not_fit_the_model_is_refused_naming_the_tensor()
    {
        // Same options, different tensors: what a checkpoint from a changed model definition would look like.
        var folder = Interrupted(atStep: 5);
        string path = new CheckpointStore(folder.Checkpoints).Latest()!;
        using (var original = CheckpointFile.Read(path))
        {
            var tensors = new Dictionary<string, Tensor>(original.Tensors);
            string name = tensors.Keys.First(k => k.StartsWith("model/", StringComparison.Ordinal) && k.EndsWith("weight", StringComparison.Ordinal));
            using var wrong = zeros(3, 3);
            tensors[name] = wrong;
            new CheckpointFile(original.Header, tensors).Write(path);
        }
        var e = Assert.Throws<ResumeException>(() => Trainer.Resume(folder));
        Assert.Contains("the checkpoint is from another model: '", e.Message);
        Assert.Contains("Float32[3,3] there", e.Message);
        Assert.Equal(RunStatus.Interrupted, RunManifest.Read(folder.Manifest).Status); // a refusal changes nothing
    }

    [Fact]
    public void A_run_resumed_in_process_equals_the_uninterrupted_one()
    {
        var whole = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        Assert.Equal(RunStatus.Completed, Trainer.Run(Small, whole).Status);
        var folder = Interrupted(atStep: 7);
        var result = Trainer.Resume(folder);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(12, result.Steps);
        Assert.Equal(File.ReadAllBytes(whole.Steps), File.ReadAllBytes(folder.Steps));
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole.Checkpoints, "final.dat")), File.ReadAllBytes(Path.Combine(folder.Checkpoints, "final.dat")));
        var manifest = RunManifest.Read(folder.Manifest);
        Assert.Equal(1, manifest.Counts["resumes"]);
        Assert.Equal(7, manifest.Counts["resumed_from_step"]);
    }
}
