// Measures what curvature costs on the default walk's setting: one gradient, one Hessian-vector product (double
// backward and finite differences) and one λ_max estimate (Lanczos and power iteration, tolerance 1e-3, at most 20
// products) of the mlp at the bench's θ_{t+1} on its 5,000-sample probe view (batch-stats BN, chunks of 100), starting
// from the bench's seeded unit direction. Medians of repeats, after one untimed run.
//
//   dotnet run -c Release --project bench/CurvatureBench -- [repeats] [threads] [--dataset NAME] [--quick]

using System.Globalization;
using SgdWalk.Bench;
using SgdWalk.Bench.Primitives;
using SgdWalk.Bench.Workloads;
using SgdWalk.Landscape;
using static TorchSharp.torch;

namespace CurvatureBench;

public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out);

    /// <summary>The whole bench, writing its lines to <paramref name="output"/> (the tests run it on synthetic data).</summary>
    public static int Run(string[] args, TextWriter output) => FocusedBench.Run("CurvatureBench", args, defaultRepeats: 3, output, (options, fixture) =>
    {
        var plan = options.Plan;
        var view = fixture.ProbeView;
        var v = fixture.HvpDirection;
        var autograd = new HessianVectorProduct(fixture.Model, fixture.Parameters, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats);
        var finite = new HessianVectorProduct(fixture.Model, fixture.Parameters, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats, HvpMethod.FiniteDifference);
        double Median(Action action) => Timings.Measure(plan.Repeats, action).Median;

        output.WriteLine(Invariant($"threads {options.Threads}; mlp with BN ({v.Length} parameters), probe {view.Count} samples in chunks of {view.ChunkSize}"));
        // The 1,000-sample HVP of `sgdwalk bench` through grouped BatchNorm and chunk by chunk, interleaved: A, B, A, B, ...
        var chunked = new HessianVectorProduct(fixture.Model, fixture.Parameters, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats) { PassBytes = 0 };
        var (grouped, oneByOne) = (new List<double>(), new List<double>());
        for (int r = 0; r <= plan.Repeats; r++)
        {
            double a = Timings.Time(() => autograd.Apply(fixture.HvpView, v).Dispose());
            double b = Timings.Time(() => chunked.Apply(fixture.HvpView, v).Dispose());
            if (r > 0) (grouped, oneByOne) = ([.. grouped, a], [.. oneByOne, b]); // the first round is untimed
        }
        output.WriteLine(Invariant($"HVP ({fixture.HvpView.Count} samples), grouped BatchNorm: {new Timings(grouped).Median,6:F0} ms; ") +
            Invariant($"chunk by chunk: {new Timings(oneByOne).Median,6:F0} ms (interleaved, medians of {plan.Repeats})"));
        output.WriteLine(Invariant($"gradient:                  {Median(() => autograd.Gradient(view).Dispose()),8:F0} ms"));
        output.WriteLine(Invariant($"HVP, double backward:      {Median(() => autograd.Apply(view, v).Dispose()),8:F0} ms"));
        output.WriteLine(Invariant($"HVP, finite differences:   {Median(() => finite.Apply(view, v).Dispose()),8:F0} ms"));
        foreach (var method in new[] { EigenMethod.Lanczos, EigenMethod.Power })
        {
            long before = autograd.Products;
            double lambda = 0;
            double ms = Median(() =>
            {
                using var estimate = method == EigenMethod.Lanczos
                    ? Lanczos.Top(x => autograd.Apply(view, x), v, 1, 20, 1e-3)
                    : PowerIteration.Top(x => autograd.Apply(view, x), v, 20, 1e-3);
                lambda = estimate.Top;
            });
            long products = (autograd.Products - before) / (plan.Repeats + 1); // + 1: the untimed first run
            output.WriteLine(Invariant($"lambda_max by {method,-8}     {ms,8:F0} ms  ({products} products, lambda_max {lambda:F2})"));
        }
    });

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
