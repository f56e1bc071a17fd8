using System.Runtime.InteropServices;
using SgdWalk.Cli.Commands;
using SgdWalk.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SgdWalk.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        // Ctrl-C and SIGTERM ask the run to stop at the end of the current step, so its files stay whole.
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        // Dormant unless SGDWALK_TEST_ONLY_PAUSE_AT_STEP is set (fault tests); installed here, not in the library's loop.
        if (TestOnlyPause.Requested) Trainer.BeforeEachStep = TestOnlyPause.At;
        return Run(args, AnsiConsole.Console, stop.Token);
    }

    /// <summary>Runs the CLI against any console (tests pass a recording one).</summary>
    public static int Run(string[] args, IAnsiConsole console, CancellationToken cancel = default)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("sgdwalk");
            config.ConfigureConsole(console);
            config.UseStrictParsing();
            config.SetExceptionHandler((exception, _) =>
            {
                // Parse errors and the like: one line naming the culprit, exit code 2 (bad input).
                CliError.Write(console, OptionErrors.Explain(exception, args));
                return ExitCodes.InvalidInput;
            });
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train a model with SGD and record the walk (segment profiles, heights, distances, cosines).")
                .WithExample("train")
                .WithExample("train", "--model", "small-cnn", "--lr", "0.05", "--epochs", "2", "--out", "runs/cnn")
                .WithExample("train", "--dataset", "synthetic", "--steps", "200", "--record", "all");
            config.AddCommand<ResumeCommand>("resume")
                .WithDescription("Continue an interrupted, killed or failed run from its newest checkpoint; the files end as if it had never stopped.")
                .WithExample("resume", "runs/fashion-mnist-mlp-lr0.1-b100-s1111");
            config.AddCommand<ExportCommand>("export")
                .WithDescription("Write the parameters θ_t of a checkpointed step (and the floor point φ_t when known) as .npy files with an index.json.")
                .WithExample("export", "runs/my-run", "--step", "550");
            config.AddCommand<ReportCommand>("report")
                .WithDescription("Draw the figures, report.html and summary.md of a run or sweep folder from its files.")
                .WithExample("report", "runs/fashion-mnist-mlp-lr0.1-b100-s1111")
                .WithExample("report", "runs/my-run", "--window", "200:30");
            config.AddCommand<BarrierCommand>("barrier")
                .WithDescription("The loss along the straight line between two saved snapshots (BatchNorm statistics recomputed at each point).")
                .WithExample("barrier", "runs/my-run:initial", "runs/my-run:final")
                .WithExample("barrier", "runs/seed1", "runs/seed2", "--bn", "recompute");
            config.AddCommand<SweepCommand>("sweep")
                .WithDescription("Run a learning-rate x batch-size x seed grid, one run folder per cell; resumable, shardable (--shard I/N), or as " +
                    "a Slurm array job (--emit slurm).")
                .WithExample("sweep", "--lr", "0.02,0.05,0.1,0.2", "--batch-size", "25,100,400", "--seeds", "1,2", "--out", "runs/sweep")
                .WithExample("sweep", "--lr", "0.05,0.1", "--batch-size", "50,200", "--shard", "2/4", "--out", "/shared/runs/sweep");
            config.AddCommand<ExperimentCommand>("experiment")
                .WithDescription("Run one of the paper's experiments as a preset (`sgdwalk list`), at CPU scale (default) or paper scale.")
                .WithExample("experiment", "lr-vs-batch")
                .WithExample("experiment", "edge-of-stability")
                .WithExample("experiment", "gd-walk", "--compat", "authors")
                .WithExample("experiment", "sgd-walk", "--scale", "paper", "--data-dir", "~/data/cifar-10-batches-bin");
            config.AddCommand<ClaimsCommand>("claims")
                .WithDescription("Test the paper's six claims here: the runs that test them (through the sweep runner: resumable, --shard, " +
                    "--emit slurm), then a verdict per claim with its interval over seeds and the per-seed values (claims.md, claims.json, report.html).")
                .WithExample("claims")
                .WithExample("claims", "--model", "small-cnn", "--out", "runs/claims-cnn")
                .WithExample("claims", "--scale", "paper", "--data-dir", "~/data/cifar-10-batches-bin", "--emit", "slurm");
            config.AddCommand<BenchCommand>("bench")
                .WithDescription("Measure training, segment profiles, HVPs and probe-preset overheads (mlp, small-cnn at 1 and 2 threads) against " +
                    "the machine's matmul rate and the PyTorch reference; writes bench.json, bench.csv, bench.md.")
                .WithExample("bench")
                .WithExample("bench", "--models", "mlp", "--threads", "2", "--repeats", "9")
                .WithExample("bench", "--no-reference", "--out", "runs/bench-quiet");
            config.AddCommand<ListCommand>("list")
                .WithDescription("List the models, datasets, probes, presets and schedules.");
        });
        return app.Run(args, cancel);
    }
}
