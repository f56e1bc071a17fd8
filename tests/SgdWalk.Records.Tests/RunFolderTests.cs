namespace SgdWalk.Records.Tests;

public class RunFolderTests
{
    [Fact]
    public void An_existing_run_is_never_replaced_without_overwrite_and_is_left_untouched()
    {
        string path = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(path, "steps.csv"), "precious");
        var e = Assert.Throws<IOException>(() => RunFolder.Prepare(path, overwrite: false));
        Assert.Contains("--overwrite", e.Message);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(path, "steps.csv")));

        RunFolder.Prepare(path, overwrite: true);
        Assert.False(File.Exists(Path.Combine(path, "steps.csv")));
    }

    [Fact]
    public void A_new_folder_is_created_and_an_unwritable_one_is_reported()
    {
        string parent = Directory.CreateTempSubdirectory().FullName;
        var folder = RunFolder.Prepare(Path.Combine(parent, "a", "b"), overwrite: false);
        Assert.True(Directory.Exists(folder.Path));
        Assert.EndsWith("run.json", folder.Manifest);

        string file = Path.Combine(parent, "not-a-folder");
        File.WriteAllText(file, "x");
        Assert.Throws<IOException>(() => RunFolder.Prepare(file, overwrite: true));
    }

    [Fact]
    public void The_manifest_round_trips_and_is_replaced_atomically()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run.json");
        var manifest = new RunManifest { Seed = 7, Status = RunStatus.Diverged, Message = "loss is NaN", Threads = 2 };
        manifest.Options["lr"] = 0.1;
        manifest.TimingsSeconds["total_s"] = 1.5;
        manifest.Write(path);
        manifest.Status = RunStatus.Completed;
        manifest.Write(path);
        Assert.False(File.Exists(path + ".tmp"));
        var back = RunManifest.Read(path);
        Assert.Equal(RunStatus.Completed, back.Status);
        Assert.Equal(7, back.Seed);
        Assert.Equal(0.1, (double)back.Options["lr"]!);
        Assert.Contains("\"status\": \"completed\"", File.ReadAllText(path));

        File.WriteAllText(path, "{ not json");
        Assert.Throws<InvalidDataException>(() => RunManifest.Read(path));
    }

    [Fact]
    public void The_summary_equals_a_recomputation_from_the_files()
    {
        string path = Directory.CreateTempSubdirectory().FullName;
        var folder = new RunFolder(path);
        File.WriteAllText(folder.Steps,
            "step,epoch,lr,batch_size,train_loss,dist_init,cos_grad,probe_height,probe_interior,probe_floor_alpha\n" +
            "0,1,0.1,100,2.3,0,,0.5,1,0.4\n" +
            "1,1,0.1,100,2.2,0.3,-0.2,,,\n" +
            "2,1,0.1,100,2.1,0.5,-0.4,0.1,0,1\n" +
            "3,1,0.1,100,2.0,0.7,0.1,0.3,1,0.6\n");
        File.WriteAllText(folder.Epochs, "epoch,step,train_loss,train_acc,val_loss,val_acc,test_loss,test_acc,wall_s\n1,4,2.0,0.5,2.1,0.45,2.2,0.4,3\n");
        var s = RunSummary.FromFolder(folder);
        Assert.Equal(4, s.Steps);
        Assert.Equal(3, s.RecordedSteps);
        Assert.Equal(2.0 / 3.0, s.InteriorFraction, 12);
        Assert.Equal(0.3, s.MedianHeight);
        Assert.Equal(0.6, s.MedianFloorAlpha);
        Assert.Equal(-0.2, s.MedianCosGrad);
        Assert.Equal(0.7, s.FinalDistanceFromInit);
        Assert.Equal(0.4, s.FinalTestAccuracy);
        Assert.Equal(0.45, s.FinalValidationAccuracy);
    }
}
