using System.Globalization;
using System.Text.Json.Nodes;
using SgdWalk.Records;
using SgdWalk.Reporting.Claims;

namespace SgdWalk.Reporting.Tests.Claims;

/// <summary>Claim 4a's unit read from a run folder's own files: windows of 10 consecutive one-step floor segments.</summary>
public class ChainWindowTests
{
    /// <summary>
    /// Steps 1–25 of the second epoch, step 13's segment missing: links 1–10 make a window, 11–12 are cut off by the
    /// gap, 14–23 make the second, 24–25 are left over. A bump of 0.5 in link 16 (the run's median height is 1) is the
    /// second window's barrier; the first has none. Epoch 1 (step 0) is never read.
    /// </summary>
    [Fact]
    public void A_gap_in_the_chain_starts_a_new_window_and_windows_do_not_overlap()
    {
        var folder = new RunFolder(Directory.CreateTempSubdirectory("sgdwalk-chain-").FullName);
        try
        {
            var options = new JsonObject { ["learning_rate"] = 0.1, ["batch_size"] = 100, ["optimizer"] = "sgd", ["epochs"] = 2, ["floor_lags"] = new JsonArray(JsonValue.Create(1)) };
            new RunManifest { Status = RunStatus.Completed, Seed = 1, Options = options }.Write(folder.Manifest);
            var steps = new List<string> { "step,epoch,probe_loss_start,probe_height" };
            var profiles = new List<string> { "step,view,alpha,loss,accuracy" };
            for (int t = 0; t <= 25; t++)
            {
                steps.Add(string.Create(CultureInfo.InvariantCulture, $"{t},{(t == 0 ? 1 : 2)},2,1"));
                if (t == 13) continue;
                double top = t == 16 ? 1.5 : 1;
                foreach (var (alpha, loss) in new[] { (-0.5, 9.0), (0.0, 1.0), (0.5, top), (1.0, 1.0), (1.5, 9.0) })
                    profiles.Add(string.Create(CultureInfo.InvariantCulture, $"{t},floor-k1,{alpha},{loss},0.5"));
            }
            File.WriteAllLines(folder.Steps, steps);
            File.WriteAllLines(folder.Profiles, profiles);
            var run = ClaimRun.Load(folder.Path);
            Assert.True(run.FloorChain);
            Assert.Equal(24, run.FloorLinks(1).Count); // steps 1–25 less 13; step 0 is in the first epoch
            Assert.All(run.FloorLinks(1), l => Assert.Equal(1, l.Start)); // α outside [0, 1] is not part of a segment
            Assert.Equal([0.0, 1.0], new FloorBarriers().Values(run));
            Assert.Equal([1.0], new BarrierPassOver().Values(run)); // its top (1.5) is below SGD's loss (2) at both ends
        }
        finally
        {
            Directory.Delete(folder.Path, recursive: true);
        }
    }
}
