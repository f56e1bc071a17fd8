// Measures what curvature costs on the default walk's setting: one gradient, one Hessian-vector product (double
// backward and finite differences) and one λ_max estimate (Lanczos and power iteration, cold start, tolerance 1e-3,
// at most 20 products) of the mlp on a 5,000-sample probe view (batch-stats BN, chunks of 100). Medians of repeats.
//
//   dotnet run -c Release --project bench/CurvatureBench -- [repeats] [threads]

using System.Diagnostics;
using System.Globalization;
using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Models;
using static TorchSharp.torch;

int repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
int threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
set_num_threads(threads);
using var data = DatasetCatalog.Load(new DataOptions("fashion-mnist"));
manual_seed(1111);
using var model = ModelZoo.Create("mlp", new ModelSpec(1, 28, 28, 10));
var parameters = model.parameters().ToList();
using var probe = data.Train.Take(0, 5000);
using var view = DataView.Borrow("probe", probe.Images, probe.Labels, 100);
var autograd = new HessianVectorProduct(model, parameters, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats);
var finite = new HessianVectorProduct(model, parameters, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats, HvpMethod.FiniteDifference);
using var generator = new Generator(1);
using var theta = ParamVector.OfValues(parameters);
using var v = theta.Like(randn([theta.Length], generator: generator));

double Median(Func<double> measure) { var s = Enumerable.Range(0, repeats).Select(_ => measure()).Order().ToArray(); return s[s.Length / 2]; }
double Time(Action action) { var clock = Stopwatch.StartNew(); action(); return clock.Elapsed.TotalMilliseconds; }

Console.WriteLine($"threads {threads}; mlp 784-500-350-10 with BN ({theta.Length} parameters), probe 5000 samples in chunks of 100");
Console.WriteLine($"gradient:                  {Median(() => Time(() => autograd.Gradient(view).Dispose())),8:F0} ms");
Console.WriteLine($"HVP, double backward:      {Median(() => Time(() => autograd.Apply(view, v).Dispose())),8:F0} ms");
Console.WriteLine($"HVP, finite differences:   {Median(() => Time(() => finite.Apply(view, v).Dispose())),8:F0} ms");
foreach (var method in new[] { EigenMethod.Lanczos, EigenMethod.Power })
{
    long before = autograd.Products;
    double lambda = 0;
    double ms = Median(() => Time(() =>
    {
        using var estimate = method == EigenMethod.Lanczos
            ? Lanczos.Top(x => autograd.Apply(view, x), v, 1, 20, 1e-3)
            : PowerIteration.Top(x => autograd.Apply(view, x), v, 20, 1e-3);
        lambda = estimate.Top;
    }));
    Console.WriteLine($"lambda_max by {method,-8}     {ms,8:F0} ms  ({(autograd.Products - before) / repeats} products, lambda_max {lambda:F2})");
}
