using SgdWalk.Data;
using SgdWalk.Experiments;
using SgdWalk.Models;
using SgdWalk.Records;
using SgdWalk.Records.Claims;
using SgdWalk.Reporting.Claims;
using SgdWalk.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Models;

/// <summary>The valley of the claims' positive control: its loss is the closed form, and the claims' probes find its barriers.</summary>
public class ValleyTests
{
    /// <summary>L_i(x, y) = a·y²/2 + b·sin(x/ℓ) − c·x + ξ_x·x + ξ_y·y, the class's closed form, in float64.</summary>
    private static double ClosedForm(double b, double x, double y, double xiX, double xiY) =>
        (Valley.Curvature * y * y / 2) + (b * Math.Sin(x / Valley.Length)) - (Valley.Tilt * x) + (xiX * x) + (xiY * y);

    private static (Valley Model, Tensor Noise) Build(string name, double x, double y)
    {
        var model = (Valley)ModelZoo.Create(name, ModelCases.Valley);
        model.to(ScalarType.Float64);
        using (no_grad())
        {
            model.named_parameters().Single(p => p.name == "x").parameter.fill_(x);
            model.named_parameters().Single(p => p.name == "y").parameter.fill_(y);
        }
        var noise = tensor(new[] { 0.3, -0.2, -1.1, 0.7, 0.8, -0.5 }, ScalarType.Float64).reshape(3, 1, 1, 2); // [3 samples, 1, 1, (ξ_x, ξ_y)]
        return (model, noise);
    }

    [Theory]
    [InlineData("valley", Valley.Corrugation, 2.3, -0.7)]
    [InlineData("valley", Valley.Corrugation, -40.0, 1.9)]
    [InlineData("valley-flat", 0.0, 2.3, -0.7)]
    public void The_cross_entropy_of_each_sample_is_the_closed_form_plus_the_offset(string name, double b, double x, double y)
    {
        using var scope = NewDisposeScope();
        var (model, noise) = Build(name, x, y);
        using var _ = model;
        var loss = nn.functional.cross_entropy(model.call(noise), zeros(3, ScalarType.Int64), reduction: nn.Reduction.None).data<double>().ToArray();
        double[] xi = noise.flatten().data<double>().ToArray();
        for (int i = 0; i < 3; i++)
            Assert.Equal(ClosedForm(b, x, y, xi[2 * i], xi[(2 * i) + 1]) + Valley.Offset, loss[i], 1e-9);
    }

    [Theory]
    [InlineData("valley", 2.3, -0.7)]
    [InlineData("valley", 4.1, 0.2)]
    [InlineData("valley-flat", 2.3, -0.7)]
    public void Autograd_matches_finite_differences_of_the_mean_loss(string name, double x, double y)
    {
        using var scope = NewDisposeScope();
        var (model, noise) = Build(name, x, y);
        using var _ = model;
        var labels = zeros(3, ScalarType.Int64);
        double Loss(double px, double py)
        {
            using var inner = NewDisposeScope();
            using var grad = no_grad();
            var (at, _) = Build(name, px, py);
            using (at) return nn.functional.cross_entropy(at.call(noise), labels).item<double>();
        }
        nn.functional.cross_entropy(model.call(noise), labels).backward();
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.item<double>());
        const double h = 1e-5;
        Assert.Equal((Loss(x + h, y) - Loss(x - h, y)) / (2 * h), parameters["x"], 1e-6);
        Assert.Equal((Loss(x, y + h) - Loss(x, y - h)) / (2 * h), parameters["y"], 1e-6);
    }

    [Fact]
    public void The_dataset_is_seeded_noise_of_mean_zero_with_label_zero()
    {
        using var data = ValleyData.Create(7);
        using var again = ValleyData.Create(7);
        using var other = ValleyData.Create(8);
        Assert.Equal((ValleyData.DefaultTrainCount, 1, 1, 2, 2), (data.Train.Count, data.Train.Channels, data.Train.Height, data.Train.Width, data.Train.Classes));
        using var scope = NewDisposeScope();
        var noise = data.Train.Inputs().flatten(1).to(ScalarType.Float64);
        Assert.All(noise.mean([0]).data<double>().ToArray(), m => Assert.Equal(0, m, 1e-7)); // centred: the training loss is L itself
        Assert.InRange(noise.std().item<double>(), 0.8 * ValleyData.NoiseScale, 1.2 * ValleyData.NoiseScale);
        Assert.Equal(0, data.Train.Labels.abs().sum().item<long>());
        float[] Noise(DataBundle d) => d.Train.Inputs().data<float>().ToArray();
        Assert.Equal(Noise(data), Noise(again));
        Assert.NotEqual(Noise(data), Noise(other));
    }

    /// <summary>
    /// The claims' own probes and statistics on a real walk of the control's plan: the floor path finds barriers on the
    /// corrugated valley (in more than 1 chained window of 5, as 4a counts them) and none on the flat one, and floor-sgd ends
    /// within a quarter of SGD's distance on the corrugated valley only.
    /// </summary>
    [Fact]
    public void The_claims_probes_find_the_corrugated_floors_barriers_and_none_on_the_flat_one()
    {
        string root = Directory.CreateTempSubdirectory("sgdwalk-valley-").FullName;
        try
        {
            var runs = ValleyControlPlan.Cells(1111, ClaimsPlan.CpuBase).ToDictionary(c => c.Name, c =>
            {
                var folder = RunFolder.Prepare(Path.Combine(root, c.Name), overwrite: false);
                Assert.Equal(RunStatus.Completed, Trainer.Run(c.Options, folder).Status);
                return ClaimRun.Load(folder.Path);
            });
            var barriers = new FloorBarriers();
            double[] corrugated = barriers.Values(runs["control-valley-sgd"]), flat = barriers.Values(runs["control-valley-flat-sgd"]);
            // 4a's unit: windows of 10 one-step segments of the chained floor path (profiles.csv, view floor-k1).
            Assert.Equal(ValleyControlPlan.Design.RecordedSteps / ClaimsDesign.ChainLinks, corrugated.Length);
            Assert.True(corrugated.Average() > 0.2, $"share of chained floor windows with a barrier: {corrugated.Average()}");
            Assert.Equal(ValleyControlPlan.Design.RecordedSteps / ClaimsDesign.ChainLinks, flat.Length);
            Assert.All(flat, v => Assert.Equal(0, v));
            double Stall(string model) => new FloorSgdStall().PerSeed(new SeedSample(1111,
            [
                new Series("SGD", 0, [runs[$"control-{model}-sgd"].Last(Columns.DistanceFromInit)], ""),
                new Series("floor-sgd", 0, [runs[$"control-{model}-floor-sgd"].Last(Columns.DistanceFromInit)], ""),
            ]));
            Assert.True(Stall(ValleyControl.Corrugated) > Math.Log(4), $"ln(SGD / floor-sgd distance) on the corrugated valley: {Stall(ValleyControl.Corrugated)}");
            Assert.True(Stall(ValleyControl.Flat) < Math.Log(4), $"ln(SGD / floor-sgd distance) on the flat valley: {Stall(ValleyControl.Flat)}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
