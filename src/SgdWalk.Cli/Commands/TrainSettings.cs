using System.ComponentModel;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>The `sgdwalk train` options: one learning rate, batch size and seed, and the run folder.</summary>
public sealed class TrainSettings : RunSettings
{
    [CommandOption("--lr <RATE>"), DefaultValue(0.1), Description("Learning rate (the base rate of --schedule).")]
    public double LearningRate { get; init; } = 0.1;

    [CommandOption("--batch-size <N>"), DefaultValue(100), Description("Mini-batch size.")]
    public int BatchSize { get; init; } = 100;

    [CommandOption("--seed <N>"), DefaultValue(1111L), Description("Seed for initialisation, data order, augmentation and probe subset.")]
    public long Seed { get; init; } = 1111;

    [CommandOption("--out <DIR>"), Description("Run folder (default runs/<dataset>-<model>-lr<lr>-b<batch>-s<seed>).")]
    public string? Out { get; init; }

    [CommandOption("--overwrite"), Description("Replace the files of an existing run folder.")]
    public bool Overwrite { get; init; }
}

/// <summary>
/// The options every run shares, whether trained alone (`train`) or as a sweep cell (`sweep`, which takes lists for
/// --lr, --batch-size and --seeds instead). Defaults mirror <see cref="Training.TrainOptions"/> (README "Options").
/// </summary>
public class RunSettings : ReportSettings
{
    [CommandOption("--model <NAME>"), DefaultValue("mlp"), Description("Model from the zoo (`sgdwalk list`): mlp, small-cnn, vgg11, resnet20, resnet56, resnet.")]
    public string Model { get; init; } = "mlp";

    [CommandOption("--hidden <WIDTHS>"), Description("Layer widths: mlp hidden widths (default 500,350), small-cnn conv widths (default 32,64).")]
    public string? Hidden { get; init; }

    [CommandOption("--no-model-bn"), Description("Build mlp / small-cnn without BatchNorm layers.")]
    public bool NoModelBatchNorm { get; init; }

    [CommandOption("--depth <N>"), Description("ResNet depth 6n+2 for --model resnet (20, 32, 44, 56, 110).")]
    public int? Depth { get; init; }

    [CommandOption("--dataset <NAME>"), DefaultValue("fashion-mnist"), Description("fashion-mnist, mnist, cifar10 or synthetic.")]
    public string Dataset { get; init; } = "fashion-mnist";

    [CommandOption("--data-dir <DIR>"), Description("Dataset directory; else $SGDWALK_DATA; else /usr/share/datasets/fashion-mnist.")]
    public string? DataDir { get; init; }

    [CommandOption("--val-size <N>"), Description("Validation images taken from the end of the training file (default 5000).")]
    public int? ValidationSize { get; init; }

    [CommandOption("--train-size <N>"), Description("Use only the first N training images (quick runs).")]
    public int? TrainSize { get; init; }

    [CommandOption("--augment <BOOL>"), Description("Random crop + flip in training (default: on for cifar10 only).")]
    public bool? Augment { get; init; }

    [CommandOption("--chunk-size <N>"), Description("Samples per forward pass; larger batches are accumulated over chunks (BN statistics per chunk).")]
    public int? ChunkSize { get; init; }

    [CommandOption("--sum-chunk-gradients"), Description("Sum the chunk-mean gradients of an accumulated batch (the authors' full-batch GD quirk: k chunks = k x step).")]
    public bool SumChunkGradients { get; init; }

    [CommandOption("--isotropic-noise <SCALE>"), DefaultValue(0.0), Description("GD + isotropic noise: add N(0, std^2) to every gradient, std = SCALE x the largest per-coordinate chunk-gradient variance at init (authors: 0.02).")]
    public double IsotropicNoise { get; init; }

    [CommandOption("--epochs <N>"), DefaultValue(1), Description("Epochs to train.")]
    public int Epochs { get; init; } = 1;

    [CommandOption("--steps <N>"), Description("Train exactly N steps instead (epochs continue as needed).")]
    public int? Steps { get; init; }

    [CommandOption("--momentum <M>"), DefaultValue(0.0), Description("Momentum (0 = plain SGD, the paper's setting).")]
    public double Momentum { get; init; }

    [CommandOption("--nesterov"), Description("Nesterov momentum.")]
    public bool Nesterov { get; init; }

    [CommandOption("--weight-decay <L2>"), DefaultValue(1e-4), Description("L2 weight decay added to the gradient in the update.")]
    public double WeightDecay { get; init; } = 1e-4;

    [CommandOption("--schedule <SPEC>"), DefaultValue("constant"), Description("constant | step:E1,E2:GAMMA | cosine[[:MIN]] | cyclic:LOW:HIGH:PERIOD | trapezoid:WARMUP:DECAY[[:START[[:END]]]].")]
    public string Schedule { get; init; } = "constant";

    [CommandOption("--probes <PRESET>"), DefaultValue("paper"), Description("none | cheap (norms, distance, cosines) | paper (cheap + segment profiles).")]
    public string Probes { get; init; } = "paper";

    [CommandOption("--record <SCHEDULE>"), DefaultValue("steps:0-49+every:10"), Description("Steps whose profiles are measured: all, none, steps:A-B, every:N, epochs:1,10 joined by '+'.")]
    public string Record { get; init; } = "steps:0-49+every:10";

    [CommandOption("--alphas <GRID>"), Description("Profile grid: a list 0,0.25,0.5,0.75,1, a range START:STOP:STEP such as -0.5:1.5:0.1 (default 0:1:0.1), or adaptive[[:TOL]]: points around the floor until its α is known to TOL (default 0.01).")]
    public string? Alphas { get; init; }

    [CommandOption("--probe-size <N|full|auto>"), DefaultValue("5000"), Description("Samples in the fixed probe view; 'full' for the whole training split; 'auto' for the smallest that measures the height to --probe-error (chosen on a pilot).")]
    public string ProbeSize { get; init; } = "5000";

    [CommandOption("--probe-error <E>"), DefaultValue(0.1), Description("With --probe-size auto: the target standard error of the height, relative to the height.")]
    public double ProbeError { get; init; } = 0.1;

    [CommandOption("--bn <POLICY>"), DefaultValue("batch-stats"), Description("BatchNorm during evaluation: batch-stats (train mode per chunk) or running (eval mode, interpolated buffers).")]
    public string BatchNorm { get; init; } = "batch-stats";

    [CommandOption("--compat <MODE>"), DefaultValue("none"), Description("'authors' reproduces the authors' conventions (alphas 0..0.9, full probe, chunks of 100, weight-decayed cosine).")]
    public string Compat { get; init; } = "none";

    [CommandOption("--floor-lags <K1,K2>"), Description("Measure barriers on the valley floor between floor points k recorded steps apart, e.g. 1,10 (columns floor_barrier_k1, ...).")]
    public string? FloorLags { get; init; }

    [CommandOption("--optimizer <NAME>"), DefaultValue("sgd"), Description("sgd, or the interventions floor-sgd (move only to the valley floor of each SGD step) and height-sgd.")]
    public string Optimizer { get; init; } = "sgd";

    [CommandOption("--height-fraction <H>"), DefaultValue(0.5), Description("height-sgd: land this fraction of the way from the floor (0) to plain SGD's landing point (1).")]
    public double HeightFraction { get; init; } = 0.5;

    [CommandOption("--floor-view <VIEW>"), DefaultValue("batch"), Description("floor-sgd / height-sgd line search on the step's batch or on the probe view.")]
    public string FloorView { get; init; } = "batch";
    [CommandOption("--sharpness <SCHEDULE>"), DefaultValue("none"), Description("Steps whose curvature is measured (lambda_max, trace, step and batch sharpness): none, all, every:N, steps:A-B, epochs:1,10 joined by '+'.")]
    public string Sharpness { get; init; } = "none";

    [CommandOption("--hvp <METHOD>"), DefaultValue("autograd"), Description("Hessian-vector products: autograd (double backward) or finite-difference (central difference of two gradients).")]
    public string Hvp { get; init; } = "autograd";

    [CommandOption("--eigen <METHOD>"), DefaultValue("lanczos"), Description("Top eigenvalues: lanczos (full reorthogonalisation, top-k) or power (power iteration, largest magnitude).")]
    public string Eigen { get; init; } = "lanczos";

    [CommandOption("--top-k <K>"), DefaultValue(1), Description("Eigenvalues reported: lambda_max, lambda_2 ... lambda_K (lanczos).")]
    public int TopK { get; init; } = 1;

    [CommandOption("--eigen-iterations <N>"), DefaultValue(20), Description("Cap on Hessian-vector products per eigenvalue estimate.")]
    public int EigenIterations { get; init; } = 20;

    [CommandOption("--eigen-tolerance <TOL>"), DefaultValue(1e-3), Description("Relative tolerance of the eigenvalue estimate.")]
    public double EigenTolerance { get; init; } = 1e-3;

    [CommandOption("--trace-samples <N>"), DefaultValue(10), Description("Rademacher probes of the Hutchinson trace (0 = no trace).")]
    public int TraceSamples { get; init; } = 10;

    [CommandOption("--batch-sharpness-batches <N>"), DefaultValue(8), Description("Probe-set mini-batches averaged into batch sharpness (0 = none).")]
    public int BatchSharpnessBatches { get; init; } = 8;

    [CommandOption("--eval-chunk <N>"), DefaultValue(1000), Description("Samples per forward pass when evaluating in eval mode.")]
    public int EvaluationChunk { get; init; } = 1000;

    [CommandOption("--threads <N>"), Description("Torch threads (default: all cores). 1 and 2 threads give different bits; recorded in run.json.")]
    public int? Threads { get; init; }

    [CommandOption("--device <DEVICE>"), DefaultValue("cpu"), Description("cpu or cuda[[:N]] (when the libtorch package has CUDA).")]
    public string Device { get; init; } = "cpu";

    [CommandOption("--checkpoint-every <STEPS>"), Description("Also checkpoint every N steps (a checkpoint is always written at each epoch end and on Ctrl-C); `sgdwalk resume` continues from the newest.")]
    public int? CheckpointEvery { get; init; }

    [CommandOption("--keep-checkpoints <K>"), DefaultValue(3), Description("How many of the newest checkpoints to keep in <run>/checkpoints.")]
    public int KeepCheckpoints { get; init; } = 3;


    [CommandOption("--no-report"), Description("Do not draw the figures and report.html at the end (`sgdwalk report` can later).")]
    public bool NoReport { get; init; }

    [CommandOption("--tensorboard"), Description("Also write TensorBoard event files under <run>/events (per-step scalars, per-epoch metrics).")]
    public bool TensorBoard { get; init; }
}
