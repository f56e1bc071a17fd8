using System.ComponentModel;
using Spectre.Console.Cli;
using A = SgdWalk.Probes.AlignmentOptions.Defaults;
using D = SgdWalk.Training.TrainOptions.Defaults;
using R = SgdWalk.Probes.RecorderOptions.Defaults;
using S = SgdWalk.Probes.SharpnessOptions.Defaults;

namespace SgdWalk.Cli.Commands;

/// <summary>The `sgdwalk train` options: one learning rate, batch size and seed, and the run folder.</summary>
public sealed class TrainSettings : RunSettings
{
    [CommandOption("--lr <RATE>"), DefaultValue(D.LearningRate), Description("Learning rate (the base rate of --schedule).")]
    public double LearningRate { get; init; } = D.LearningRate;

    [CommandOption("--batch-size <N>"), DefaultValue(D.BatchSize), Description("Mini-batch size.")]
    public int BatchSize { get; init; } = D.BatchSize;

    [CommandOption("--seed <N>"), DefaultValue(D.Seed), Description("Seed for initialisation, data order, augmentation and probe subset.")]
    public long Seed { get; init; } = D.Seed;

    [CommandOption("--out <DIR>"), Description("Run folder (default runs/<dataset>-<model>-lr<lr>-b<batch>-s<seed>).")]
    public string? Out { get; init; }

    [CommandOption("--overwrite"), Description("Replace the files of an existing run folder.")]
    public bool Overwrite { get; init; }
}

/// <summary>
/// The options every run shares, whether trained alone (`train`) or as a sweep cell (`sweep`, which takes lists for
/// --lr, --batch-size and --seeds instead). Every default is the library's own constant
/// (<see cref="Training.TrainOptions.Defaults"/> and its siblings), shown by --help; an option given maps onto
/// <see cref="Training.TrainOptions"/> once, in <see cref="OptionParsing"/>.
/// </summary>
public class RunSettings : ReportSettings
{
    [CommandOption("--model <NAME>"), DefaultValue(D.Model), Description("Model from the zoo (`sgdwalk list`): mlp, small-cnn, vgg11, resnet20, resnet56, resnet, valley, valley-flat; or torchscript:PATH, a scripted PyTorch module.")]
    public string Model { get; init; } = D.Model;

    [CommandOption("--hidden <WIDTHS>"), Description("Layer widths: mlp hidden widths (default 500,350), small-cnn conv widths (default 32,64).")]
    public string? Hidden { get; init; }

    [CommandOption("--no-model-bn"), Description("Build mlp / small-cnn without BatchNorm layers.")]
    public bool NoModelBatchNorm { get; init; }

    [CommandOption("--depth <N>"), Description("ResNet depth 6n+2 for --model resnet (20, 32, 44, 56, 110).")]
    public int? Depth { get; init; }

    [CommandOption("--init-from <FILE>"), Description("Start from weights trained elsewhere: a PyTorch state_dict (.pt by torch.save, or " +
        ".safetensors) whose keys, shapes and dtypes match the model's exactly.")]
    public string? InitFrom { get; init; }

    [CommandOption("--dataset <NAME>"), DefaultValue(D.Dataset), Description("fashion-mnist, mnist, cifar10, synthetic, valley, or npz:PATH (your own images and labels in a NumPy .npz).")]
    public string Dataset { get; init; } = D.Dataset;

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

    [CommandOption("--isotropic-noise <SCALE>"), DefaultValue(D.IsotropicNoise), Description("GD + isotropic noise: add N(0, std^2) to every " +
        "gradient, std = SCALE x the largest per-coordinate chunk-gradient variance at init (authors: 0.02).")]
    public double IsotropicNoise { get; init; } = D.IsotropicNoise;

    [CommandOption("--epochs <N>"), DefaultValue(D.Epochs), Description("Epochs to train.")]
    public int Epochs { get; init; } = D.Epochs;

    [CommandOption("--steps <N>"), Description("Train exactly N steps instead (epochs continue as needed).")]
    public int? Steps { get; init; }

    [CommandOption("--stop-loss <L>"), Description("End the run at the first check (every tenth of an epoch and at epoch ends) where the mean " +
        "training loss on the images outside the probe view is at most L; --epochs / --steps are the cap.")]
    public double? StopLoss { get; init; }

    [CommandOption("--end-curvature"), Description("Measure lambda_max and the Hessian trace on the probe view once, at the run's final weights " +
        "(run.json end_curvature; --eigen, --eigen-iterations, --trace-samples apply).")]
    public bool EndCurvature { get; init; }

    [CommandOption("--momentum <M>"), DefaultValue(D.Momentum), Description("Momentum (0 = plain SGD, the paper's setting).")]
    public double Momentum { get; init; } = D.Momentum;

    [CommandOption("--nesterov"), Description("Nesterov momentum.")]
    public bool Nesterov { get; init; }

    [CommandOption("--weight-decay <L2>"), DefaultValue(D.WeightDecay), Description("L2 weight decay added to the gradient in the update.")]
    public double WeightDecay { get; init; } = D.WeightDecay;

    [CommandOption("--schedule <SPEC>"), DefaultValue(D.Schedule), Description("constant | step:E1,E2:GAMMA | cosine[[:MIN]] | " +
        "cyclic:LOW:HIGH:PERIOD | trapezoid:WARMUP:DECAY[[:START[[:END]]]].")]
    public string Schedule { get; init; } = D.Schedule;

    [CommandOption("--probes <PRESET>"), DefaultValue(R.Probes), Description("none | cheap (norms, distance, cosines) | paper (cheap + segment profiles).")]
    public string Probes { get; init; } = R.Probes;

    [CommandOption("--record <SCHEDULE>"), DefaultValue(R.Record), Description("Steps whose profiles are measured: all, none, steps:A-B, every:N, " +
        "epochs:1,10 joined by '+'.")]
    public string Record { get; init; } = R.Record;

    [CommandOption("--alphas <GRID>"), Description("Profile grid: a list 0,0.25,0.5,0.75,1, a range START:STOP:STEP such as -0.5:1.5:0.1 " +
        "(default " + R.Alphas + "), or adaptive[[:TOL]]: points around the floor until its α is known to TOL (default 0.01).")]
    public string? Alphas { get; init; }

    [CommandOption("--probe-size <N|full|auto>"), DefaultValue(D.ProbeSize), Description("Samples in the fixed probe view; 'full' for the whole " +
        "training split; 'auto' for the smallest that measures the height to --probe-error (chosen on a pilot).")]
    public string ProbeSize { get; init; } = D.ProbeSize;

    [CommandOption("--probe-error <E>"), DefaultValue(D.ProbeError), Description("With --probe-size auto: the target standard error of the height, " +
        "relative to the height.")]
    public double ProbeError { get; init; } = D.ProbeError;

    [CommandOption("--bn <POLICY>"), DefaultValue(R.BatchNorm), Description("BatchNorm during evaluation: batch-stats (train mode per chunk) or " +
        "running (eval mode, interpolated buffers).")]
    public string BatchNorm { get; init; } = R.BatchNorm;

    [CommandOption("--compat <MODE>"), DefaultValue(D.Compat), Description("'authors' reproduces the authors' conventions (alphas 0..0.9, full " +
        "probe, chunks of 100, weight-decayed cosine).")]
    public string Compat { get; init; } = D.Compat;

    [CommandOption("--floor-lags <K1,K2>"), Description("Barriers on the valley floor between floor points k steps apart (ends recorded), e.g. " +
        "1,10 (columns floor_barrier_k1, ...).")]
    public string? FloorLags { get; init; }

    [CommandOption("--floor-lag-origin <STEP>"), Description("With --floor-lags: profile only the segments ending at STEP, STEP + k, " +
        "STEP + 2k, ... of each lag k (not every pair k apart).")]
    public int? FloorLagOrigin { get; init; }

    [CommandOption("--random-direction"), Description("Also profile the probe view along a random direction of each recorded step's length " +
        "(columns random_X): the control that such profiles have no interior floor.")]
    public bool RandomDirection { get; init; }

    [CommandOption("--optimizer <NAME>"), DefaultValue(D.Optimizer), Description("sgd, or the interventions floor-sgd (move only to the valley " +
        "floor of each SGD step) and height-sgd.")]
    public string Optimizer { get; init; } = D.Optimizer;

    [CommandOption("--height-fraction <H>"), DefaultValue(D.HeightFraction), Description("height-sgd: land this fraction of the way from the floor " +
        "(0) to plain SGD's landing point (1).")]
    public double HeightFraction { get; init; } = D.HeightFraction;

    [CommandOption("--floor-view <VIEW>"), DefaultValue(D.FloorView), Description("floor-sgd / height-sgd line search on the step's batch or on the probe view.")]
    public string FloorView { get; init; } = D.FloorView;
    [CommandOption("--sharpness <SCHEDULE>"), DefaultValue(S.Schedule), Description("Steps whose curvature is measured (lambda_max, trace, step " +
        "and batch sharpness): none, all, every:N, steps:A-B, epochs:1,10 joined by '+'.")]
    public string Sharpness { get; init; } = S.Schedule;

    [CommandOption("--hvp <METHOD>"), DefaultValue(S.Hvp), Description("Hessian-vector products: autograd (double backward) or finite-difference " +
        "(central difference of two gradients).")]
    public string Hvp { get; init; } = S.Hvp;

    [CommandOption("--eigen <METHOD>"), DefaultValue(S.Eigen), Description("Top eigenvalues: lanczos (full reorthogonalisation, top-k) or power " +
        "(power iteration, largest magnitude).")]
    public string Eigen { get; init; } = S.Eigen;

    [CommandOption("--top-k <K>"), DefaultValue(S.TopK), Description("Eigenvalues reported: lambda_max, lambda_2 ... lambda_K (lanczos).")]
    public int TopK { get; init; } = S.TopK;

    [CommandOption("--eigen-iterations <N>"), DefaultValue(S.EigenIterations), Description("Cap on Hessian-vector products per eigenvalue estimate.")]
    public int EigenIterations { get; init; } = S.EigenIterations;

    [CommandOption("--eigen-tolerance <TOL>"), DefaultValue(S.EigenTolerance), Description("Relative tolerance of the eigenvalue estimate.")]
    public double EigenTolerance { get; init; } = S.EigenTolerance;

    [CommandOption("--trace-samples <N>"), DefaultValue(S.TraceSamples), Description("Rademacher probes of the Hutchinson trace (0 = no trace).")]
    public int TraceSamples { get; init; } = S.TraceSamples;

    [CommandOption("--batch-sharpness-batches <N>"), DefaultValue(S.BatchSharpnessBatches), Description("Probe-set mini-batches averaged into " +
        "batch sharpness (0 = none).")]
    public int BatchSharpnessBatches { get; init; } = S.BatchSharpnessBatches;

    [CommandOption("--alignment <SCHEDULE>"), DefaultValue(A.Schedule), Description("Steps whose gradient alignment is measured: the share " +
        "||V_k' g_B||^2 / ||g_B||^2 of mini-batch gradients (drawn from the training split outside the probe view) in the top-k Hessian " +
        "eigenspace of the probe view (columns align_kK_bB). Same syntax as --sharpness.")]
    public string Alignment { get; init; } = A.Schedule;

    [CommandOption("--alignment-k <K>"), DefaultValue(A.TopK), Description("k: dimension of the top Hessian eigenspace of --alignment.")]
    public int AlignmentTopK { get; init; } = A.TopK;

    [CommandOption("--alignment-batch-sizes <B1,B2>"), DefaultValue(A.BatchSizes), Description("Batch sizes whose gradients --alignment projects.")]
    public string AlignmentBatchSizes { get; init; } = A.BatchSizes;

    [CommandOption("--alignment-batches <M>"), DefaultValue(A.Batches), Description("Mini-batches drawn per batch size (mean and standard error).")]
    public int AlignmentBatches { get; init; } = A.Batches;

    [CommandOption("--alignment-iterations <N>"), DefaultValue(A.EigenIterations), Description("Cap on Hessian-vector products of the Lanczos " +
        "estimate of V_k (column align_kK_converged says whether it converged).")]
    public int AlignmentIterations { get; init; } = A.EigenIterations;

    [CommandOption("--eval-chunk <N>"), DefaultValue(D.EvaluationChunkSize), Description("Samples per forward pass when evaluating in eval mode.")]
    public int EvaluationChunk { get; init; } = D.EvaluationChunkSize;

    [CommandOption("--threads <N>"), Description("Torch threads (default: all cores). 1 and 2 threads give different bits; recorded in run.json.")]
    public int? Threads { get; init; }

    [CommandOption("--device <DEVICE>"), DefaultValue(D.Device), Description("cpu, or cuda[[:N]] when the libtorch package has CUDA (this build: " +
        "cpu only unless a CUDA package is referenced).")]
    public string Device { get; init; } = D.Device;

    [CommandOption("--checkpoint-every <STEPS>"), Description("Also checkpoint every N steps (a checkpoint is always written at each epoch end and " +
        "on Ctrl-C); `sgdwalk resume` continues from the newest.")]
    public int? CheckpointEvery { get; init; }

    [CommandOption("--keep-checkpoints <K>"), DefaultValue(D.KeepCheckpoints), Description("How many of the newest checkpoints to keep in <run>/checkpoints.")]
    public int KeepCheckpoints { get; init; } = D.KeepCheckpoints;


    [CommandOption("--no-report"), Description("Do not draw the figures and report.html at the end (`sgdwalk report` can later).")]
    public bool NoReport { get; init; }

    [CommandOption("--tensorboard"), Description("Also write TensorBoard event files under <run>/events (per-step scalars, per-epoch metrics).")]
    public bool TensorBoard { get; init; }
}
