// Recording the walk of your own model and training loop with SgdWalk.
//
// The model below is one SgdWalk does not know (a two-layer tanh network with a skip connection), trained with
// TorchSharp's own SGD on a toy two-spiral problem. Four recorder calls around the optimiser step are all it takes;
// the run folder then holds steps.csv, profiles.csv and run.json as `sgdwalk train` writes them, and
// `sgdwalk report <run-folder>` draws it.
//
//   dotnet run --project samples/CustomLoop -- [steps] [run-folder]

using SgdWalk.Landscape;
using SgdWalk.Probes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CustomLoop;

public static class Program
{
    public static int Main(string[] args)
    {
        int steps = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 200;
        string runFolder = args.Length > 1 ? args[1] : Path.Combine("runs", "custom-loop");

        manual_seed(7);
        var (inputs, targets) = TwoSpirals(2000);
        using var model = new SkipNet(hidden: 64);
        using var optimizer = optim.SGD(model.parameters(), learningRate: 0.3);

        // The probe view: a fixed set of samples on which every step's segment is evaluated (the recorder owns it).
        var probe = DataView.Own("probe", inputs[..500].clone(), targets[..500].clone(), chunkSize: 500);
        var options = new RecorderOptions { Record = RecordSchedule.Parse("steps:0-19+every:10"), BatchChunkSize = 32 };
        // What run.json says about this walk (the rest it learns itself), so `sgdwalk report` can draw the folder.
        var description = new RunDescription(Model: "SkipNet (tanh, skip connection)", Dataset: "two spirals", Seed: 7);
        using var recorder = new WalkRecorder(model, options, runFolder, probe, description: description);

        var generator = new Generator(8);
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var index = randint(0, inputs.shape[0], [32], generator: generator);
            var (x, y) = (inputs.index_select(0, index), targets.index_select(0, index));

            recorder.BeginStep(x, y);                        // θ_t
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(x), y);
            loss.backward();
            recorder.CaptureGradient(loss.item<float>());    // g_t
            optimizer.step();
            recorder.EndStep(step, epoch: 1, learningRate: 0.3); // θ_{t+1}, probes, one row of steps.csv
        }
        recorder.Flush();
        Console.WriteLine($"recorded {recorder.RecordedSteps} of {steps} steps into {Path.GetFullPath(runFolder)}");
        return 0;
    }

    /// <summary>Two interleaved spirals, a classic problem a linear model cannot solve.</summary>
    private static (Tensor Inputs, Tensor Targets) TwoSpirals(int n)
    {
        var t = rand(n) * 3 * Math.PI + 0.5;
        var label = randint(0, 2, [n]);
        var sign = label.to(ScalarType.Float32) * 2 - 1;
        var x = stack([sign * t * cos(t), sign * t * sin(t)], 1) / 10 + randn(n, 2) * 0.05;
        return (x, label);
    }
}

/// <summary>A model the library has never seen: tanh layers with a skip connection.</summary>
public sealed class SkipNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly Linear hidden;
    private readonly Linear output;

    public SkipNet(int hidden) : base(nameof(SkipNet))
    {
        input = nn.Linear(2, hidden);
        this.hidden = nn.Linear(hidden, hidden);
        output = nn.Linear(hidden, 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = tanh(input.call(x));
        return output.call(h + tanh(hidden.call(h)));
    }
}
