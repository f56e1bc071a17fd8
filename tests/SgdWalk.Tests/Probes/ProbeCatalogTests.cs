using SgdWalk.Landscape;
using SgdWalk.Probes;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Probes;

/// <summary>The recorder runs exactly what the catalogue and the presets say, in the catalogue's column order.</summary>
public class ProbeCatalogTests
{
    [Fact]
    public void Presets_are_explicit_lists_of_catalogue_entries()
    {
        var names = ProbeCatalog.Entries.Select(e => e.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Empty(ProbeCatalog.Preset(ProbePreset.None));
        Assert.Equal([ProbeCatalog.StepNorms, ProbeCatalog.DistanceFromInit, ProbeCatalog.Cosines], ProbeCatalog.Preset(ProbePreset.Cheap));
        Assert.True(ProbeCatalog.Preset(ProbePreset.Cheap).All(ProbeCatalog.Preset(ProbePreset.Paper).Contains), "paper extends cheap");
        foreach (var preset in Enum.GetValues<ProbePreset>()) Assert.All(ProbeCatalog.Preset(preset), n => Assert.Contains(n, names));
        // An entry is either in a preset or switched on by its own option, never both.
        Assert.All(ProbeCatalog.Entries, e => Assert.True(
            (e.SwitchedOn is null) == Enum.GetValues<ProbePreset>().Any(p => ProbeCatalog.Preset(p).Contains(e.Name)), e.Name));
    }

    [Theory]
    [InlineData(ProbePreset.None, "")]
    [InlineData(ProbePreset.Cheap, "grad_norm step_norm dist_init cos_grad cos_update step_sharpness floor_alpha_predicted floor_alpha_residual " +
        "lambda_max trace trace_se batch_sharpness batch_sharpness_se")]
    [InlineData(ProbePreset.Paper, "grad_norm step_norm dist_init cos_grad cos_update batch_* probe_* floor_barrier_k1 floor_barrier_k1_alpha " +
        "step_sharpness floor_alpha_predicted floor_alpha_residual lambda_max trace trace_se batch_sharpness batch_sharpness_se")]
    public void The_recorder_writes_the_columns_of_the_entries_it_selects(ProbePreset preset, string expected)
    {
        manual_seed(3);
        using var model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3));
        using var view = DataView.Own("probe", randn(50, 1, 4, 4), randint(3, [50]), 50);
        var options = new RecorderOptions
        {
            Probes = preset, FloorLags = preset == ProbePreset.Paper ? [1] : [],
            Sharpness = preset == ProbePreset.None ? new SharpnessOptions() : new SharpnessOptions { Schedule = RecordSchedule.Parse("every:5"), TraceSamples = 2 },
        };
        string folder = Directory.CreateTempSubdirectory().FullName;
        using var recorder = new WalkRecorder(model, options, folder, preset == ProbePreset.None ? null : view);
        var written = recorder.StepColumns.Skip(Columns.EveryStep.Count)
            .Select(c => Columns.ProfileSuffixes.Any(s => c == "batch_" + s) ? "batch_*" : Columns.ProfileSuffixes.Any(s => c == "probe_" + s) ? "probe_*" : c)
            .Distinct().ToList();
        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), written);
    }

    [Fact]
    public void Curvature_needs_a_preset_and_probe_view_entries_need_the_view()
    {
        var options = new RecorderOptions { Probes = ProbePreset.Cheap, Sharpness = new SharpnessOptions { Schedule = RecordSchedule.Parse("every:5") } };
        var sharpness = ProbeCatalog.Entries.Single(e => e.Name == ProbeCatalog.Sharpness);
        Assert.True(ProbeCatalog.Selected(sharpness, options));
        Assert.False(ProbeCatalog.Selected(sharpness, options with { Probes = ProbePreset.None }));
        Assert.False(ProbeCatalog.Selected(ProbeCatalog.Entries.Single(e => e.Name == ProbeCatalog.BatchProfile), options));
    }
}
